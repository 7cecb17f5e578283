/**
 * Small things every concern uses: process-wide state that survives Next's module reloading, timing
 * (sleep, backoff, deadlines), hashing and id checks, and graceful shutdown. Node-only as a whole; its
 * process-state, ids and timing files are Edge-safe on their own.
 */
export { sha256Hex, sameSecret } from './hashing';
export { isUuid } from './ids';
export { processState } from './process-state';
export { installGracefulShutdown, isDraining } from './shutdown';
export { awaitRoomInWindow, backoffMs, sleep, withDeadline } from './timing';
