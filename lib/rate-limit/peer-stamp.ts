/**
 * Makes the socket address of every request visible to middleware. Next.js drops it: it fills
 * X-Forwarded-For from the socket only when a client did not send one, so a client-sent header would
 * otherwise decide who the client is. This stamps PEER_HEADER with the real peer on every incoming
 * request, overwriting anything a client sent. Installed once at start-up; it patches the prototype so it
 * also covers the server `next start` created before instrumentation ran. Node-only.
 */
import { Server } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { PEER_HEADER } from './verdict';

const INSTALLED = Symbol.for('zigznote.peerStamp');

export function installPeerStamp(header: string = PEER_HEADER): void {
  const proto = Server.prototype as Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = proto.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function stampPeer(this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const request = args[0] as IncomingMessage;
      request.headers[header] = request.socket?.remoteAddress ?? '';
    }
    return emit.apply(this, [event, ...args]);
  } as typeof proto.emit;
}
