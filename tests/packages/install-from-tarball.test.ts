// Each toolkit package as an outsider gets it: built, packed with `npm pack`, installed from the tarball
// into an empty folder beside nothing but its peer dependencies (a workspace link would hide a missing
// file or export), then imported by plain Node, its README's opening example run as written, and its
// type declarations checked by a TypeScript consumer.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'zz-packages-'));
const packageDirs = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, 'packages', entry.name));
const manifests = packageDirs.map(
  (dir) =>
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
      peerDependencies?: Record<string, string>;
    },
);
const tarballs = new Map<string, { filename: string; files: string[] }>();

const run = (command: string, args: string[], cwd = scratch, env: Record<string, string | undefined> = {}) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

/** The version this repository itself runs of a peer dependency, so the scratch install matches what the tests ran. */
const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => {
  for (const { name } of manifests) {
    execFileSync('npm', ['run', 'build', '-w', name, '--silent'], { cwd: root, stdio: 'pipe' });
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '-w', name, '--pack-destination', scratch, '--json', '--silent'], {
        cwd: root,
        encoding: 'utf8',
      }),
    ) as [{ filename: string; files: { path: string }[] }];
    tarballs.set(name, { filename: packed.filename, files: packed.files.map((file) => file.path) });
  }
  const peers = [...new Set(manifests.flatMap((manifest) => Object.keys(manifest.peerDependencies ?? {})))];
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'outsider', private: true, type: 'module' }));
  const install = run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...[...tarballs.values()].map((t) => `./${t.filename}`),
    ...peers.map((p) => `${p}@${installedVersion(p)}`),
    // the database driver the email package's README example hands it (the package itself takes any)
    `pg@${installedVersion('pg')}`,
  ]);
  if (install.status !== 0) throw new Error(`npm install of the tarballs failed:\n${install.output}`);
}, 240_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(manifests.map((manifest) => [manifest.name, manifest] as const))(
  '%s, installed from its tarball',
  (name) => {
    it('ships its built JavaScript, declarations, README and CHANGELOG, and no sources or tests', () => {
      const { files } = tarballs.get(name)!;
      expect(files).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']),
      );
      const manifest = manifests.find((m) => m.name === name)!;
      for (const target of Object.values(manifest.exports ?? {}).filter(
        (value): value is string => typeof value === 'string',
      ))
        expect(files, `${target}, named in the exports map`).toContain(target.replace(/^\.\//, ''));
      expect(
        files.filter((file) => /^(src|test)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts'))),
      ).toEqual([]);
    });

    it('is imported by plain Node, every entry its exports map names, with only its peer dependencies beside it', () => {
      const manifest = manifests.find((m) => m.name === name)!;
      // Files an exports map also names (package.json, a migration's SQL) are checked by their own tests.
      const entries = Object.keys(manifest.exports ?? { '.': '' }).filter((entry) => !/\.(json|sql)$/.test(entry));
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) {
        const specifier = entry === '.' ? name : `${name}/${entry.slice(2)}`;
        const { status, output } = run(process.execPath, [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length)`,
        ]);
        expect(status, `${specifier}: ${output}`).toBe(0);
        expect(Number(output.trim()), specifier).toBeGreaterThan(0);
      }
    });

    it("runs its README's opening example as written", () => {
      const readme = readFileSync(join(scratch, 'node_modules', name, 'README.md'), 'utf8');
      const example = /```(?:js|ts)\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(example, 'the README opens with a code example').toBeDefined();
      expect(example!.trim().split('\n').length).toBeLessThanOrEqual(10);
      writeFileSync(join(scratch, 'readme-example.mjs'), example!);
      const { status, output } = run(process.execPath, ['readme-example.mjs'], scratch, {
        REDIS_URL: process.env.REDIS_URL,
        DATABASE_URL: process.env.DATABASE_URL,
        AWS_SES_ENDPOINT: process.env.AWS_SES_ENDPOINT,
        MINIO_PORT: process.env.MINIO_PORT,
        MINIO_PUBLIC_URL: process.env.MINIO_PUBLIC_URL,
        MINIO_ACCESS_KEY: process.env.MINIO_ACCESS_KEY,
        MINIO_SECRET_KEY: process.env.MINIO_SECRET_KEY,
      });
      expect(status, output).toBe(0);
      const printed = /\/\/ prints: (.+)$/m.exec(example!)?.[1];
      expect(printed, 'the example says what it prints (// prints: …)').toBeDefined();
      expect(output).toContain(printed!.trim());
    });
  },
);

describe('@zigznote/ratelimit types, as a TypeScript consumer sees them', () => {
  const compile = (source: string) => {
    writeFileSync(join(scratch, 'consumer.ts'), source);
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    return run(process.execPath, [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      'consumer.ts',
    ]);
  };
  const header =
    "import { Redis } from 'ioredis';\nimport { Ratelimit, type RatelimitResponse } from '@zigznote/ratelimit';\n";

  it('compiles an Upstash-style use', () => {
    const { status, output } = compile(
      `${header}const r = new Ratelimit({ redis: new Redis(), limiter: Ratelimit.tokenBucket(5, '10 s', 10), timeout: 1000 });\nconst answer: Promise<RatelimitResponse> = r.limit('id', { rate: 2, ip: '1.2.3.4' });\nvoid answer;\n`,
    );
    expect(status, output).toBe(0);
  });

  it('refuses a window that is not a duration at compile time', () => {
    const { status, output } = compile(`${header}Ratelimit.slidingWindow(10, '10 parsecs');\n`);
    expect(status).not.toBe(0);
    expect(output).toMatch(/consumer\.ts\(3,.*error TS2345.*10 parsecs/);
  });
});
