/**
 * The shipped balancer config (docker/nginx/nginx.conf) made to run on loopback as an unprivileged test
 * process: its own pid, logs and temp paths under `dir`, no Docker DNS resolver, the running builds read
 * from `dir/live.conf`. Every rewrite must find what it replaces, so a change to the shipped file that a
 * test would silently stop covering fails loudly instead.
 */
import { readFileSync } from 'node:fs';

export interface LoopbackNginxOptions {
  /** Replaces the shipped `listen 8080;` (the unit test only runs `nginx -t` and keeps it). */
  listen?: string;
  /** Lines added at the top of the http block (maps a test routes by). */
  httpLines?: string[];
  /** Further rewrites of the shipped text, each required to match. */
  rewrites?: Array<[RegExp, string]>;
}

export function loopbackNginxConfig(dir: string, options: LoopbackNginxOptions = {}): string {
  let config = readFileSync('docker/nginx/nginx.conf', 'utf8');
  const replace = (from: RegExp, to: string) => {
    if (!from.test(config)) throw new Error(`docker/nginx/nginx.conf no longer has ${from}: update the tests' copy`);
    config = config.replace(from, to);
  };
  replace(/^pid .*;$/m, `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;`);
  replace(/^\s*resolver .*;$/m, '');
  replace(/include \/etc\/nginx\/deployments\/live\.conf;/, `include ${dir}/live.conf;`);
  if (options.listen) replace(/^\s*listen 8080;$/m, options.listen);
  for (const [from, to] of options.rewrites ?? []) replace(from, to);
  replace(
    /^http \{$/m,
    [
      'http {',
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      ...(options.httpLines ?? []),
    ].join('\n'),
  );
  return config;
}

/** The listen line of a loopback balancer that also says which upstream answered. */
export function loopbackListen(port: number): string {
  return `listen 127.0.0.1:${port};\n    add_header X-Upstream $upstream_addr always;`;
}
