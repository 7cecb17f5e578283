/**
 * Optional error tracking (GlitchTip via the Sentry protocol): server initialisation, and the scrubbing
 * that keeps passwords, tokens and cookies out of every event. The scrubber is Edge-safe; ./server is
 * Node-only.
 */
export { scrubEvent, scrubString, scrubValue } from './scrub';
