/**
 * Runs once when the server starts, before any request. register() is also compiled for the Edge
 * runtime, so Node-only start-up work is reached through the NEXT_RUNTIME switch and never bundled there.
 */
import type { Instrumentation } from 'next';

export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./lib/startup');
    await startServer();
  }
}

/** Errors thrown while rendering or in route handlers go to error tracking, when it is configured. */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { captureRequestError } = await import('./lib/observability');
  captureRequestError(error, request, context);
};
