/**
 * One request to the storage server whose answer is read even when the server refuses before reading
 * the body and closes the connection (Garage does): sent with `Expect: 100-continue`, so the body only
 * follows the server's go-ahead, where fetch would report nothing but a broken pipe. Node-only.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface StorageAnswer {
  status: number;
  body: string;
}

export function sendToStorage(
  method: string,
  url: string,
  payload: Uint8Array,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<StorageAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, {
      method,
      headers: { ...headers, 'Content-Length': payload.length, Expect: '100-continue' },
      timeout: timeoutMs,
    });
    let failure: Error | undefined;
    let settled = false;
    request.on('continue', () => request.end(payload));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        settled = true;
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${method} to storage: no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => {
      failure = error;
    });
    request.on('close', () => {
      // an answer may still be arriving after a broken pipe: give it a moment before calling it lost
      setTimeout(
        () => settled || reject(failure ?? new Error(`${method} to storage: connection closed without an answer`)),
        200,
      );
    });
    request.flushHeaders();
  });
}
