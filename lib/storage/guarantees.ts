/**
 * The storage server's guarantees the app relies on, checked against the real server at start-up: a POST
 * policy upload over its declared size is refused, so is one with another content type, a presigned GET
 * works, and the server's CORS lets the app's origin post to the upload bucket. Fakes such as s3rver
 * accept everything; a server that breaks a guarantee is reported by name (and refused in production by
 * lib/startup). The probe object lives under `_selfcheck/` and is removed afterwards. Node-only.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'minio';
import { processState } from '../runtime';
import { sendToStorage } from './storage-http';

export const GUARANTEES = {
  'post-policy-size': 'a POST policy upload over its declared size is refused',
  'post-policy-type': 'a POST policy upload with another content type is refused',
  'presigned-get': 'a presigned GET returns the stored object',
  cors: "CORS lets the app's origin post to the upload bucket",
} as const;
export type GuaranteeName = keyof typeof GUARANTEES;

export interface GuaranteeResult {
  name: GuaranteeName;
  ok: boolean;
  /** What the server did, in words an operator can act on. */
  detail: string;
}

export interface GuaranteeReport {
  ok: boolean;
  checkedAt: string;
  guarantees: GuaranteeResult[];
}

export interface GuaranteeProbe {
  /** A client on the storage server's address, with the app's key. */
  client: Client;
  /** A bucket browsers upload to. */
  bucket: string;
  appOrigin: string;
  /** What to do about missing CORS on this backend (from its description). */
  corsHint: string;
}

const state = processState('storage-guarantees', () => ({ last: undefined as GuaranteeReport | undefined }));

export function lastGuaranteeReport(): GuaranteeReport | undefined {
  return state.last;
}

const DECLARED = 16;

export async function checkStorageGuarantees(probe: GuaranteeProbe): Promise<GuaranteeReport> {
  const { client, bucket } = probe;
  const key = `_selfcheck/${randomUUID()}`;
  const sign = async () => {
    const policy = client.newPostPolicy();
    policy.setBucket(bucket);
    policy.setKey(key);
    policy.setContentType('audio/mpeg');
    policy.setContentLengthRange(1, DECLARED);
    policy.setExpires(new Date(Date.now() + 5 * 60_000));
    return client.presignedPostPolicy(policy);
  };
  const stored = () =>
    client.statObject(bucket, key).then(
      () => true,
      () => false,
    );
  const results: GuaranteeResult[] = [];
  try {
    const { postURL, formData } = await sign();
    const oversize = await postForm(postURL, formData, Buffer.alloc(DECLARED + 1, 1), 'audio/mpeg');
    results.push(
      oversize.status >= 400 && !(await stored())
        ? { name: 'post-policy-size', ok: true, detail: `refused with ${oversize.status}` }
        : {
            name: 'post-policy-size',
            ok: false,
            detail: `accepted ${DECLARED + 1} bytes against a policy of at most ${DECLARED} (answered ${oversize.status}): this server does not enforce content-length-range`,
          },
    );
    await client.removeObject(bucket, key).catch(() => {});

    const otherType = await postForm(
      postURL,
      { ...formData, 'Content-Type': 'text/html' },
      Buffer.alloc(8, 1),
      'text/html',
    );
    results.push(
      otherType.status >= 400 && !(await stored())
        ? { name: 'post-policy-type', ok: true, detail: `refused with ${otherType.status}` }
        : {
            name: 'post-policy-type',
            ok: false,
            detail: `accepted text/html against a policy of audio/mpeg (answered ${otherType.status}): this server does not enforce policy conditions`,
          },
    );
    await client.removeObject(bucket, key).catch(() => {});

    const content = Buffer.from('zigznote selfcheck');
    const exact = await postForm(postURL, formData, content.subarray(0, DECLARED), 'audio/mpeg');
    const url = await client.presignedGetObject(bucket, key, 60);
    const read = exact.status < 300 ? await fetch(url, { signal: AbortSignal.timeout(5_000) }) : undefined;
    const body = read?.ok ? Buffer.from(await read.arrayBuffer()) : undefined;
    results.push(
      body?.equals(content.subarray(0, DECLARED))
        ? { name: 'presigned-get', ok: true, detail: 'returned the stored bytes' }
        : {
            name: 'presigned-get',
            ok: false,
            detail:
              exact.status >= 300
                ? `an upload matching its policy was refused (${exact.status})`
                : `a presigned GET answered ${read?.status ?? 'nothing'}`,
          },
    );

    const preflight = await fetch(`${origin(url)}/${bucket}/${key}`, {
      method: 'OPTIONS',
      headers: { Origin: probe.appOrigin, 'Access-Control-Request-Method': 'POST' },
      signal: AbortSignal.timeout(5_000),
    });
    const allowed = preflight.headers.get('access-control-allow-origin');
    results.push(
      preflight.ok && (allowed === probe.appOrigin || allowed === '*')
        ? { name: 'cors', ok: true, detail: `preflight from ${probe.appOrigin} allowed` }
        : {
            name: 'cors',
            ok: false,
            detail: `a preflight from ${probe.appOrigin} answered ${preflight.status}${allowed ? ` allowing ${allowed}` : ' allowing no origin'}: ${probe.corsHint}`,
          },
    );
  } finally {
    await client.removeObject(bucket, key).catch(() => {});
  }
  state.last = { ok: results.every((r) => r.ok), checkedAt: new Date().toISOString(), guarantees: results };
  return state.last;
}

/** One line per missing guarantee, for the start-up refusal. */
export function missingGuarantees(report: GuaranteeReport): string[] {
  return report.guarantees.filter((g) => !g.ok).map((g) => `${GUARANTEES[g.name]}: NO — ${g.detail}`);
}

function postForm(url: string, fields: Record<string, string>, file: Buffer, contentType: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(file)], { type: contentType }), 'selfcheck.bin');
  return sendForm(url, form);
}

async function sendForm(url: string, form: FormData) {
  const encoded = new Response(form);
  return sendToStorage('POST', url, new Uint8Array(await encoded.arrayBuffer()), {
    'Content-Type': encoded.headers.get('content-type')!,
  });
}

function origin(url: string): string {
  return new URL(url).origin;
}
