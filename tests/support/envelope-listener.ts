// A stand-in GlitchTip for tests of what reaches error tracking: records every envelope the Sentry SDK posts.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface EnvelopeListener {
  dsn: string;
  /** `<method> <path>\n<body>` of each request, in arrival order. */
  bodies: string[];
  close(): Promise<void>;
}

export async function envelopeListener(): Promise<EnvelopeListener> {
  const bodies: string[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    bodies.push(`${req.method} ${req.url}\n${body.toString('utf8')}`);
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
