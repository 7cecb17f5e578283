/**
 * Runs once when the server starts, before any request. register() is also compiled for the Edge
 * runtime, so Node-only start-up work is reached through the NEXT_RUNTIME switch and never bundled there.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./lib/startup');
    await startServer();
  }
}
