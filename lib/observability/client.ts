/** What the browser needs of observability: the scrubbing applied before an event leaves. Browser-safe. */
export { scrubEvent, scrubString, scrubValue } from './scrub';
