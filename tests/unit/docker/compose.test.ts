import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES } from '@/lib/config';

interface Service {
  image?: string;
  build?: unknown;
  restart?: string;
  command?: string[] | string;
  ports?: string[];
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
  deploy?: { replicas?: number };
}

const load = (path: string) =>
  parse(readFileSync(path, 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
const production = load('docker/docker-compose.yml');
const development = load('docker/docker-compose.dev.yml');
const text = (value: unknown) => (Array.isArray(value) ? value.join(' ') : String(value ?? ''));

for (const [label, compose] of [
  ['production', production],
  ['development', development],
] as const) {
  describe(`${label} compose file`, () => {
    it('pins every image (no :latest, no untagged image)', () => {
      for (const [name, service] of Object.entries(compose.services)) {
        expect(service.image, name).toBeDefined();
        expect(service.image!, name).toMatch(/:[^:]+$/);
        expect(service.image!, name).not.toMatch(/:latest$/);
      }
    });

    it('gives every long-running service a health check', () => {
      for (const [name, service] of Object.entries(compose.services)) {
        if (name.endsWith('-init')) continue;
        expect(service.healthcheck?.test, name).toBeDefined();
      }
    });

    it('checks MinIO health without curl, which the image does not have', () => {
      const check = text(compose.services.minio!.healthcheck!.test);
      expect(check).not.toMatch(/curl|wget/);
      expect(check).toContain('/minio/health/live');
    });

    it('never evicts sessions or limiter keys, and asks for a password', () => {
      const command = text(compose.services.redis!.command);
      expect(command).toMatch(/--maxmemory-policy (noeviction|volatile-\w+)/);
      expect(command).not.toContain('allkeys');
      expect(command).toContain('--requirepass');
      expect(command).toContain('--appendonly yes');
    });

    it('does not publish Redis beyond loopback', () => {
      for (const port of compose.services.redis!.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    });

    it('keeps data in named volumes', () => {
      for (const [name, service] of Object.entries(compose.services)) {
        for (const volume of service.volumes ?? []) {
          const source = volume.split(':')[0]!;
          const isNamed = Object.keys(compose.volumes ?? {}).includes(source);
          const isReadOnlyConfig = /^\.\.?\//.test(source) && volume.endsWith(':ro');
          expect(isNamed || isReadOnlyConfig, `${name}: ${volume}`).toBe(true);
        }
      }
    });
  });
}

describe('production compose file', () => {
  it('restarts every service unless stopped; the one-shot init step only until it succeeds', () => {
    for (const [name, service] of Object.entries(production.services)) {
      expect(service.restart, name).toBe(name.endsWith('-init') ? 'on-failure' : 'unless-stopped');
    }
  });

  it('starts the app after Postgres and Redis are healthy; storage belongs to a profile, whose init step makes its key', () => {
    expect(production.services.app!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(text(production.services['minio-init']!.volumes)).toContain('./minio-init.sh:/minio-init.sh:ro');
    expect(text(production.services['garage-init']!.volumes)).toContain('./garage-init.mjs:/garage-init.mjs:ro');
    // the init step reads the app's bucket table instead of restating the bucket names
    expect(text(production.services['garage-init']!.volumes)).toContain('../lib/storage/buckets.json:/buckets.json:ro');
    expect(production.services['garage-init']!.environment).toMatchObject({ BUCKETS_FILE: '/buckets.json' });
    for (const [service, profile] of [
      ['minio', 'minio'],
      ['minio-init', 'minio'],
      ['garage', 'garage'],
      ['garage-init', 'garage'],
    ] as const) {
      expect(production.services[service]!.profiles, service).toEqual([profile]);
    }
    expect(production.services['garage-init']!.depends_on).toEqual({ garage: { condition: 'service_healthy' } });
    expect(production.services.app!.environment!.STORAGE_BACKEND).toBe('${STORAGE_BACKEND:-minio}');
  });

  it('hardens Garage: read-only root, no capabilities, no privilege gain, secrets from the environment', () => {
    const garage = production.services.garage as Service & {
      read_only?: boolean;
      cap_drop?: string[];
      security_opt?: string[];
    };
    expect(garage.read_only).toBe(true);
    expect(garage.cap_drop).toEqual(['ALL']);
    expect(garage.security_opt).toEqual(['no-new-privileges:true']);
    expect(text(garage.volumes)).toContain('./garage/garage.toml:/etc/garage.toml:ro');
    expect(readFileSync('docker/garage/garage.toml', 'utf8')).not.toMatch(/rpc_secret|admin_token/);
    const check = text(garage.healthcheck!.test);
    expect(check).not.toMatch(/curl|wget/);
    expect(check).toContain('/health');
  });

  it('runs two app replicas of one image behind the balancer, which alone is published', () => {
    const app = production.services.app!;
    expect(app.deploy?.replicas).toBe(2);
    expect(app.ports).toBeUndefined();
    expect(app.environment!.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY).toMatch(/^\$\{NEXT_SERVER_ACTIONS_ENCRYPTION_KEY:\?/);
    expect(app.environment!.TRUSTED_PROXIES).toBe('${TRUSTED_PROXIES:-1}');
    const balancer = production.services.balancer!;
    expect(balancer.image).toMatch(/^nginx:\d+\.\d+\.\d+-/);
    expect(balancer.ports).toEqual(['${APP_BIND:-127.0.0.1}:${APP_PORT:-3000}:8080']);
    expect(balancer.depends_on).toEqual({ app: { condition: 'service_healthy' } });
  });

  it("has the balancer send one address, the TLS proxy's last entry or the peer, never the client's own list", () => {
    const nginx = readFileSync('docker/nginx/nginx.conf', 'utf8');
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(nginx).not.toContain('$proxy_add_x_forwarded_for');
    expect(nginx).toMatch(/real_ip_header X-Forwarded-For;/);
    expect(nginx).toMatch(/real_ip_recursive off;/);
    // Replicas come and go: the compose stack's first upstream re-resolves the service name.
    expect(readFileSync('docker/nginx/live.conf', 'utf8')).toMatch(/server app:3000 resolve/);
    expect(nginx).toMatch(/proxy_pass http:\/\/\$build_upstream;/);
  });

  it('takes every secret from the environment, with no default', () => {
    const raw = readFileSync('docker/docker-compose.yml', 'utf8');
    for (const secret of [
      'POSTGRES_PASSWORD',
      'REDIS_PASSWORD',
      'MINIO_ROOT_PASSWORD',
      'STORAGE_APP_SECRET_KEY',
      'GARAGE_RPC_SECRET',
      'GARAGE_ADMIN_TOKEN',
      'MINIO_BACKUP_SECRET_KEY',
      'NEXT_SERVER_ACTIONS_ENCRYPTION_KEY',
      'GLITCHTIP_SECRET_KEY',
    ]) {
      const uses = [...raw.matchAll(new RegExp(`\\$\\{${secret}([^}]*)\\}`, 'g'))].map((m) => m[1]!);
      expect(uses.length, secret).toBeGreaterThan(0);
      for (const use of uses) expect(use, secret).toMatch(/^:\?/);
    }
    expect(raw).not.toMatch(/minioadmin/i);
  });

  it('puts GlitchTip behind its own profile', () => {
    expect(production.services.glitchtip!.profiles).toEqual(['glitchtip']);
    expect(production.services['glitchtip-worker']!.profiles).toEqual(['glitchtip']);
    expect(production.services.app!.profiles).toBeUndefined();
  });

  it('allows the app origin for MinIO CORS and expires stale multipart uploads', () => {
    const env = production.services.minio!.environment!;
    expect(env.MINIO_API_CORS_ALLOW_ORIGIN).toContain('APP_URL');
    expect(env.MINIO_API_STALE_UPLOADS_EXPIRY).toBeDefined();
  });
});

describe('app settings in the compose file', () => {
  it("pass the operator's value through and leave defaults to the app (no default restated)", () => {
    // Only values that belong to this deployment (behind one proxy, the storage profile and its host, the bucket
    // prefix the init steps share) may carry a fallback here.
    const deploymentValues = new Set([
      'TRUSTED_PROXIES',
      'STORAGE_BACKEND',
      'MINIO_ENDPOINT',
      'MINIO_PORT',
      'MINIO_BUCKET_PREFIX',
    ]);
    const restated: string[] = [];
    for (const [name, service] of Object.entries(production.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        const fallback = /^\$\{(\w+):-([^}]+)\}$/.exec(String(value));
        if (fallback && (ENV_VARIABLES as string[]).includes(variable) && !deploymentValues.has(variable))
          restated.push(`${name}: ${variable}=${value}`);
      }
    }
    expect(restated).toEqual([]);
  });
});

describe('images', () => {
  const appDockerfile = readFileSync('docker/Dockerfile', 'utf8');
  const minioDockerfile = readFileSync('docker/minio.Dockerfile', 'utf8');

  it('builds the app in stages on Node 24, the way npm run build does, and runs it as a non-root user', () => {
    expect(appDockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(appDockerfile).toMatch(/ARG NODE_IMAGE=node:24\.\d+\.\d+-/);
    expect(appDockerfile).toContain('RUN npm run build');
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.build).toContain('scripts/assemble-standalone.sh');
    const runtime = appDockerfile.slice(appDockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER zigznote$/m);
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/api\/health/);
    expect(runtime).toContain('CMD ["node", "serve.mjs"]');
  });

  it('builds Garage from the same crates.io version as the test scripts', () => {
    const services = readFileSync('scripts/services', 'utf8');
    const garageDockerfile = readFileSync('docker/garage.Dockerfile', 'utf8');
    const testVersion = /GARAGE_VERSION="\$\{ZZ_GARAGE_VERSION:-([^}]+)\}"/.exec(services)![1];
    expect(/ARG GARAGE_VERSION=(\S+)/.exec(garageDockerfile)![1]).toBe(testVersion);
    expect(garageDockerfile).toContain('cargo install --locked garage');
    expect(garageDockerfile).toMatch(/^USER garage$/m);
  });

  it('builds MinIO and mc from the same pinned sources as the test scripts', () => {
    const services = readFileSync('scripts/services', 'utf8');
    for (const name of ['MINIO', 'MC']) {
      const testVersion = new RegExp(`${name}_VERSION="\\$\\{ZZ_${name}_VERSION:-([^}]+)\\}"`).exec(services)![1];
      const imageVersion = new RegExp(`ARG ${name}_VERSION=(\\S+)`).exec(minioDockerfile)![1];
      expect(imageVersion, name).toBe(testVersion);
    }
    const healthcheck = /HEALTHCHECK[^\n]*\\\n([^\n]*)/.exec(minioDockerfile)![1]!;
    expect(healthcheck).toContain('/minio/health/live');
    expect(healthcheck).not.toMatch(/curl|wget/);
  });
});
