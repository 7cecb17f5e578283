/**
 * The part of nginx's configuration that changes with every rollout: one upstream per running build and
 * the map from a deployment id (what Next puts on every request a page makes) to that build's upstream.
 * docker/nginx/nginx.conf includes it; anything naming no running build goes to the newest. Pure text in,
 * text out, so scripts/deploy and the rollout test write the very same file.
 */

import { DEPLOYMENT_ID_PATTERN } from './deployment-id.mjs';

export { DEPLOYMENT_ID_PATTERN };

export interface RunningBuild {
  /** The build's DEPLOYMENT_ID. */
  id: string;
  /** Its replicas as nginx reaches them: `host:port` (a DNS name is re-resolved as replicas come and go). */
  servers: string[];
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d+)?$/i;

export function upstreamName(id: string): string {
  return `build_${id.replaceAll('-', '_')}`;
}

/** The file for `builds`, newest first: the first one also answers every request that names no running build. */
export function balancerConfig(builds: RunningBuild[]): string {
  if (builds.length === 0) throw new Error('a balancer needs at least one running build');
  const seen = new Set<string>();
  for (const build of builds) {
    if (!DEPLOYMENT_ID_PATTERN.test(build.id)) throw new Error(`"${build.id}" is not a deployment id`);
    if (seen.has(build.id)) throw new Error(`build ${build.id} is listed twice`);
    if (build.servers.length === 0) throw new Error(`build ${build.id} has no replica`);
    seen.add(build.id);
  }
  const upstreams = builds.map(({ id, servers }) => {
    // A name (compose's per-build alias) is looked up again while nginx runs, which needs a shared zone.
    const byName = servers.some((server) => !IP_LITERAL.test(server));
    return [
      `upstream ${upstreamName(id)} {`,
      ...(byName ? [`  zone ${upstreamName(id)} 64k;`] : []),
      ...servers.map(
        (server) => `  server ${server}${IP_LITERAL.test(server) ? '' : ' resolve'} max_fails=3 fail_timeout=10s;`,
      ),
      '  keepalive 32;',
      '}',
    ].join('\n');
  });
  const routes = builds.map(({ id }) => `  ${id} ${upstreamName(id)};`);
  return [
    `# The builds running now, newest first (written by scripts/deploy; lib/deploy/balancer-config.ts).`,
    ...upstreams,
    'map $named_deployment $build_upstream {',
    `  default ${upstreamName(builds[0]!.id)};`,
    ...routes,
    '}',
    '',
  ].join('\n');
}
