/**
 * Optional error tracking (GlitchTip via the Sentry protocol) and metrics: the server's error tracking,
 * job failure reports (outside Next), Prometheus metrics, and the scrubbing that keeps passwords, tokens
 * and cookies out of every event. What the rest of the app imports on Node; the browser imports ./client.
 */
export { scrubEvent, scrubString, scrubValue } from './scrub';
export { captureException, captureMessage, captureRequestError, initServerErrorTracking } from './server';
export { reportJobFailure } from './job';
export {
  exposeBackupFigures,
  exposeCounters,
  metricsText,
  METRICS_CONTENT_TYPE,
  recordRateLimitDecision,
  recordRedisError,
} from './metrics';
