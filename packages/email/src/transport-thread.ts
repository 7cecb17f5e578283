/**
 * The Node transport on a worker thread: SES v2 SendEmail, built, signed and posted beside the event loop
 * that answers requests and queues email, not on it. The thread signs with the AWS SDK's own signer
 * (@smithy/signature-v4) and posts over a kept-alive `node:http(s)` connection: the same signed request
 * the SDK's client makes, at about half its CPU (its middleware stack costs more than the signing). The
 * SDK's client still resolves the credentials (given, or its default chain, refreshed before they
 * expire). The thread's code is a short script, not a file, so a bundler that moves this package's files
 * cannot lose it; the thread loads @aws-sdk/client-sesv2 from node_modules, and the signer beside it. If
 * it cannot (an unusual layout), sends go through the SDK on this thread instead, and `mode` says so.
 * Node-only.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { EmailSendError, sesErrorDetail, THREAD_EXITED } from './errors.js';
import { connectTimeoutOf, createSesTransport, type SesTransportOptions } from './transport-ses.js';
import {
  SES_SEND_EMAIL_PATH,
  sesEndpoint,
  sesSendEmailRequest,
  type EmailTransport,
  type OutgoingEmail,
} from './types.js';

export { THREAD_EXITED };

export interface ThreadedSesTransportOptions extends SesTransportOptions {
  /**
   * Where the thread loads the AWS SDK's SES v2 client from (a path or a package name). @default the
   * first copy found beside this package, beside the script Node started, or in the working directory
   */
  sdkModule?: string;
}

export interface ThreadedSesTransport extends EmailTransport {
  /** 'thread' once the worker thread runs, 'inline' if it could not start, 'starting' before the first send. */
  readonly mode: 'starting' | 'thread' | 'inline';
  /** Starts the thread now instead of at the first send; answers where sends will run. */
  start(): Promise<'thread' | 'inline'>;
  /** Stops the thread; sends still in it fail as retryable (`TransportThreadExited`). A later send starts a new one. */
  close(): Promise<void>;
}

// CommonJS unless the process was started to read scripts as modules (\`--input-type=module\`), which
// its threads inherit: then there is no \`require\`, and one is made. The signer is the SDK's own, loaded
// from where the client finds it, and signs with the hash and credentials the SDK's client configured, so the one
// install the client needs serves all of it. An answer goes back as it came (status, error type, body):
// the calling thread reads SES's errors, as the Edge transport does.
const WORKER_SCRIPT = `
const load = typeof require === 'function'
  ? require
  : process.getBuiltinModule('node:module').createRequire(process.cwd() + '/');
const { createRequire } = load('node:module');
const { parentPort, workerData } = load('node:worker_threads');
let sdkPath;
let lastError;
for (const candidate of workerData.sdkModules) {
  try {
    sdkPath = load.resolve(candidate);
    break;
  } catch (error) {
    lastError = error;
  }
}
if (!sdkPath) throw lastError;
const fromSdk = createRequire(sdkPath);
const { SESv2Client } = fromSdk(sdkPath);
// Beside the client where installs are flat (npm, a traced standalone build), else beside its core (pnpm).
let signerModule;
try {
  signerModule = fromSdk('@smithy/signature-v4');
} catch {
  signerModule = createRequire(fromSdk.resolve('@aws-sdk/core'))('@smithy/signature-v4');
}
const { SignatureV4 } = signerModule;
const { config } = new SESv2Client(workerData.client);
const signer = new SignatureV4({
  credentials: config.credentials,
  region: workerData.client.region,
  service: 'ses',
  sha256: config.sha256,
});
const url = new URL(workerData.url);
const http = load(url.protocol === 'https:' ? 'node:https' : 'node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
const target = { protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname };
function post(body) {
  const headers = { host: url.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  return signer.sign({ ...target, method: 'POST', query: {}, headers, body }).then((signed) => new Promise((resolve, reject) => {
    const request = http.request({ ...target, agent, method: 'POST', headers: signed.headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({
        status: response.statusCode,
        errorType: response.headers['x-amzn-errortype'],
        body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    request.on('error', reject);
    request.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => request.destroy(Object.assign(
        new Error('no connection to SES within ' + workerData.connectTimeoutMs + ' ms'),
        { code: 'ConnectTimeout' },
      )), workerData.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      request.once('close', () => clearTimeout(timer));
    });
    // The outbox gives up on a send sooner; this only frees a socket SES never answers on.
    request.setTimeout(120000, () => request.destroy(Object.assign(new Error('SES gave no answer'), { code: 'ETIMEDOUT' })));
    request.end(body);
  }));
}
parentPort.on('message', ({ id, input }) => {
  post(JSON.stringify(input)).then(
    ({ status, errorType, body }) => {
      if (status >= 200 && status < 300) {
        let messageId = '';
        try { messageId = JSON.parse(body).MessageId || ''; } catch {}
        parentPort.postMessage({ id, messageId });
      } else parentPort.postMessage({ id, answered: { status, errorType, body } });
    },
    (error) => parentPort.postMessage({
      id,
      error: {
        name: (error && error.name) || 'Error',
        code: error && typeof error.code === 'string' ? error.code : undefined,
        message: String((error && error.message) || error),
      },
    }),
  );
});
parentPort.postMessage({ ready: true });
`;

interface Pending {
  resolve: (result: { messageId: string }) => void;
  reject: (error: unknown) => void;
}

interface ThreadError {
  name: string;
  code?: string;
  message: string;
  httpStatus?: number;
}

interface ThreadMessage {
  ready?: true;
  id?: number;
  messageId?: string;
  /** SES answered with an error status. */
  answered?: { status: number; errorType?: string; body: string };
  /** No answer: the connection failed. */
  error?: ThreadError;
}

// Built at run time so a bundler does not swap the lookup below for its own module id (Turbopack does).
const SDK_PACKAGE = ['@aws-sdk', 'client-sesv2'].join('/');

/** Where the thread may find the SDK, in order: beside this package, beside the started script, the working directory. */
function sdkCandidates(): string[] {
  const candidates: string[] = [];
  const resolveFrom = (from: string | undefined) => {
    if (!from) return;
    try {
      const resolved: unknown = createRequire(from).resolve(SDK_PACKAGE);
      if (typeof resolved === 'string' && !candidates.includes(resolved)) candidates.push(resolved);
    } catch {
      // Not installed there: the next place may have it.
    }
  };
  resolveFrom(import.meta.url);
  resolveFrom(process.argv[1]);
  resolveFrom(`${process.cwd()}/`);
  candidates.push(SDK_PACKAGE);
  return candidates;
}

/** A failed send, with what `isRetryable` reads (name, code, HTTP status), named as the SDK names SES's errors. */
function rebuiltError(error: ThreadError): Error {
  const rebuilt = new EmailSendError(error.message, error.code ?? error.name, error.httpStatus);
  rebuilt.name = error.name;
  return Object.assign(rebuilt, { $metadata: { httpStatusCode: error.httpStatus } });
}

export function createThreadedSesTransport(options: ThreadedSesTransportOptions): ThreadedSesTransport {
  if (!options || typeof options.region !== 'string' || options.region === '')
    throw new TypeError('createThreadedSesTransport needs a region, e.g. { region: "eu-west-1" }');
  const inline = createSesTransport(options);
  const connectTimeoutMs = connectTimeoutOf(options);
  const client = { region: options.region, credentials: options.credentials };
  const url = `${sesEndpoint(options.region, options.endpoint)}${SES_SEND_EMAIL_PATH}`;
  let mode: ThreadedSesTransport['mode'] = 'starting';
  let worker: Worker | undefined;
  let ready: Promise<boolean> | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failPending = (error: Error) => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };

  const start = (): Promise<boolean> => {
    let thread: Worker;
    try {
      thread = new Worker(WORKER_SCRIPT, {
        eval: true,
        workerData: {
          sdkModules: options.sdkModule ? [options.sdkModule] : sdkCandidates(),
          client,
          url,
          connectTimeoutMs,
        },
      });
    } catch {
      // No thread could be made here (credentials given as a function cannot be copied to one): inline.
      mode = 'inline';
      return Promise.resolve(false);
    }
    worker = thread;
    // Only a send in flight keeps the process alive (a script's last email still goes); an idle thread
    // never holds up the exit of a server that stops.
    thread.unref();
    return new Promise<boolean>((resolve) => {
      thread.on('message', (message: ThreadMessage) => {
        if (message.ready) {
          mode = 'thread';
          resolve(true);
          return;
        }
        const call = pending.get(message.id!);
        if (!call) return;
        pending.delete(message.id!);
        if (pending.size === 0) thread.unref();
        if (message.answered) {
          const { status, errorType, body } = message.answered;
          const { code, message: text } = sesErrorDetail(status, errorType, body);
          call.reject(rebuiltError({ name: code, code, message: text, httpStatus: status }));
        } else if (message.error) call.reject(rebuiltError(message.error));
        else call.resolve({ messageId: message.messageId ?? '' });
      });
      const ended = () => {
        if (worker === thread) {
          worker = undefined;
          ready = undefined;
        }
        failPending(new EmailSendError('the email thread exited while sending', THREAD_EXITED, undefined));
        // Never ready: the thread could not load the SDK. Sends go inline from now on.
        if (mode === 'starting') mode = 'inline';
        resolve(false);
      };
      thread.once('error', ended);
      thread.once('exit', ended);
    });
  };

  return {
    name: 'ses-v2',
    get mode() {
      return mode;
    },
    async start() {
      if (mode !== 'inline') await (ready ??= start());
      return mode === 'thread' ? 'thread' : 'inline';
    },
    async send(email: OutgoingEmail) {
      if (mode === 'inline') return inline.send(email);
      ready ??= start();
      if (!(await ready)) return inline.send(email);
      const thread = worker;
      if (!thread) return inline.send(email);
      const id = nextId++;
      const input = sesSendEmailRequest(email);
      return new Promise<{ messageId: string }>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) thread.ref();
        thread.postMessage({ id, input });
      });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      ready = undefined;
      failPending(new EmailSendError('the email thread was stopped while sending', THREAD_EXITED, undefined));
      await thread?.terminate();
    },
  };
}
