/** What Edge code needs of the API helpers: RFC 9457 problem responses. Edge-safe. */
export { problem, problemFor } from './problem';
