/**
 * The Node transport on a worker thread: the same SES v2 SendEmail through the AWS SDK, but the SDK's
 * request building, JSON writing and signing (most of a send's CPU) run beside the event loop that
 * answers requests and queues email, not on it. The thread's code is a short script, not a file, so a
 * bundler that moves this package's files cannot lose it; the thread loads @aws-sdk/client-sesv2 from
 * node_modules. If it cannot (an unusual layout), sends go through the SDK on this thread instead, and
 * `mode` says so. Node-only.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { EmailSendError } from './errors.js';
import { createSesTransport, type SesTransportOptions } from './transport-ses.js';
import { sesSendEmailRequest, type EmailTransport, type OutgoingEmail } from './types.js';

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

/** Raised for sends a thread held when it exited: SES may or may not have accepted them, as with a crash. */
export const THREAD_EXITED = 'TransportThreadExited';

// CommonJS unless the process was started to read scripts as modules (\`--input-type=module\`), which
// its threads inherit: then there is no \`require\`, and one is made.
const WORKER_SCRIPT = `
const load = typeof require === 'function'
  ? require
  : process.getBuiltinModule('node:module').createRequire(process.cwd() + '/');
const { parentPort, workerData } = load('node:worker_threads');
let sdk;
let lastError;
for (const candidate of workerData.sdkModules) {
  try {
    sdk = load(candidate);
    break;
  } catch (error) {
    lastError = error;
  }
}
if (!sdk) throw lastError;
const { SESv2Client, SendEmailCommand } = sdk;
const client = new SESv2Client(workerData.client);
parentPort.on('message', ({ id, input }) => {
  client.send(new SendEmailCommand(input)).then(
    (output) => parentPort.postMessage({ id, messageId: output.MessageId || '' }),
    (error) => parentPort.postMessage({
      id,
      error: {
        name: (error && error.name) || 'Error',
        code: error && typeof error.code === 'string' ? error.code : undefined,
        message: String((error && error.message) || error),
        httpStatus: error && error.$metadata ? error.$metadata.httpStatusCode : undefined,
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

/** The error the SDK threw in the thread, with what `isRetryable` reads (name, code, HTTP status). */
function rebuiltError(error: ThreadError): Error {
  const rebuilt = new EmailSendError(error.message, error.code ?? error.name, error.httpStatus);
  rebuilt.name = error.name;
  return Object.assign(rebuilt, { $metadata: { httpStatusCode: error.httpStatus } });
}

export function createThreadedSesTransport(options: ThreadedSesTransportOptions): ThreadedSesTransport {
  if (!options || typeof options.region !== 'string' || options.region === '')
    throw new TypeError('createThreadedSesTransport needs a region, e.g. { region: "eu-west-1" }');
  const inline = createSesTransport(options);
  const client = {
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: 1,
  };
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
        workerData: { sdkModules: options.sdkModule ? [options.sdkModule] : sdkCandidates(), client },
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
      thread.on('message', (message: { ready?: true; id?: number; messageId?: string; error?: ThreadError }) => {
        if (message.ready) {
          mode = 'thread';
          resolve(true);
          return;
        }
        const call = pending.get(message.id!);
        if (!call) return;
        pending.delete(message.id!);
        if (pending.size === 0) thread.unref();
        if (message.error) call.reject(rebuiltError(message.error));
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
