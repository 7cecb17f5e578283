// What a build may call itself (DEPLOYMENT_ID): plain JavaScript, because next.config.mjs loads it before
// any TypeScript runs, and the deploy tools check the same pattern. It becomes part of nginx upstream names
// and DNS aliases (balancer-config.ts), so nothing outside these characters may reach them.
export const DEPLOYMENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Why `id` is refused as a deployment id, or null when it is a good one. */
export function deploymentIdProblem(id) {
  return DEPLOYMENT_ID_PATTERN.test(id)
    ? null
    : `DEPLOYMENT_ID must be 1-40 lowercase letters, digits or dashes, got "${id}"`;
}
