// The README's recipes, walked: each change is applied to a scratch copy of the tree exactly as the recipe
// says (the one file it names; an email's new template file besides), and then the type check, lint and
// the affected unit tests run there with no other edit. A recipe that needs a second edit somewhere fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'zz-recipes-'));
const edited = new Set<string>();

function edit(path: string, change: (text: string) => string) {
  const file = join(scratch, path);
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  expect(after, `${path} changed`).not.toBe(before);
  writeFileSync(file, after);
  edited.add(path);
}

function insertAfter(anchor: string, addition: string) {
  return (text: string) => {
    expect(text, `anchor ${anchor}`).toContain(anchor);
    return text.replace(anchor, `${anchor}${addition}`);
  };
}

function insertBefore(anchor: string, addition: string) {
  return (text: string) => {
    expect(text, `anchor ${anchor}`).toContain(anchor);
    return text.replace(anchor, `${addition}${anchor}`);
  };
}

function run(command: string, args: string[], timeout = 240_000) {
  const result = spawnSync(command, args, {
    cwd: scratch,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
  });
  const all = `${result.stdout}\n${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  return { code: result.status, output: all.slice(-4000), all };
}

const bin = (name: string) => join(root, 'node_modules', '.bin', name);

beforeAll(() => {
  // The tracked tree as it is now (uncommitted edits included), and the installed dependencies.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    .filter((path) => path && spawnSync('test', ['-f', join(root, path)]).status === 0);
  execFileSync('tar', ['--null', '-cf', join(scratch, '.tree.tar'), '-T', '-'], { cwd: root, input: files.join('\0') });
  execFileSync('tar', ['-xf', '.tree.tar'], { cwd: scratch });
  rmSync(join(scratch, '.tree.tar'));
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));

  // Add a bucket: lib/storage/buckets.json.
  edit(
    'lib/storage/buckets.json',
    insertAfter(
      '"backups": { "uploadTypes": [], "maxSize": "100 GB", "inlineTypes": [] }',
      ',\n  "documents": { "uploadTypes": ["application/pdf"], "maxSize": "50 MB", "inlineTypes": ["application/pdf"] }',
    ),
  );

  // Change a limit and add a limit group: lib/rate-limit/policies.ts.
  edit('lib/rate-limit/policies.ts', (text) =>
    insertBefore(
      '} satisfies Record<string, GroupEntry>;',
      `  invite: {
    formPosts: ['/team/invite'],
    onStoreFailure: 'closed',
    rules: [{ name: 'invite', limit: 10, windowMs: HOUR, algorithm: 'sliding-log', identity: 'user' }],
  },\n`,
    )(text.replace("{ name: 'uploads', limit: 30,", "{ name: 'uploads', limit: 45,")),
  );

  // Add an email: the template file, and one entry in lib/email/templates.ts.
  writeFileSync(
    join(scratch, 'emails/invite.tsx'),
    `import { Button, Text } from 'react-email';
import { buttonStyle, EmailLayout, paragraph } from './layout';

export const subject = 'You are invited to a zigznote team';

export interface InviteEmailProps {
  inviter: string;
  acceptUrl: string;
}

export default function InviteEmail({ inviter, acceptUrl }: InviteEmailProps) {
  return (
    <EmailLayout preview="An invitation is waiting." heading="You are invited">
      <Text style={paragraph}>{inviter} invited you to their team.</Text>
      <Button href={acceptUrl} style={buttonStyle}>
        Accept the invitation
      </Button>
    </EmailLayout>
  );
}
`,
  );
  edited.add('emails/invite.tsx');
  edit('lib/email/templates.ts', (text) =>
    insertAfter(
      'export const EMAILS = {\n',
      `  invite: email({
    template: invite,
    props: (appUrl, { inviter, token }: { inviter: string; token: string }) => ({
      inviter,
      acceptUrl: link(appUrl, '/team/accept', token),
    }),
  }),\n`,
    )(
      text.replace(
        "import * as welcome from '../../emails/welcome';",
        "$&\nimport * as invite from '../../emails/invite';",
      ),
    ),
  );

  // Add an environment variable: lib/config.ts, and its documented line in .env.example.
  edit('lib/config.ts', (text) =>
    insertAfter(
      '    debugRoutes: env.ENABLE_DEBUG_ROUTES,\n',
      '    /** How many invitations one user may send a day. */\n    invitesPerDay: env.INVITES_PER_DAY,\n',
    )(
      insertAfter(
        '  ENABLE_DEBUG_ROUTES: booleanFlag,\n',
        "  INVITES_PER_DAY: unlessBlank(z.coerce.number({ error: 'must be a number' }).int().positive().default(5)),\n",
      )(text),
    ),
  );
  edit(
    '.env.example',
    insertAfter(
      'ENABLE_DEBUG_ROUTES=false\n',
      '# Invitations one user may send a day. Default: 5\nINVITES_PER_DAY=5\n',
    ),
  );

  // What each recipe promises follows from its one edit, checked in the scratch tree by its own test.
  writeFileSync(
    join(scratch, 'tests/unit/recipe-outcomes.test.tsx'),
    `import { describe, expect, it } from 'vitest';
import { renderEmail } from '@zigznote/email';
import { loadConfig } from '@/lib/config';
import { buildEmail } from '@/lib/email/templates';
import { DEFAULT_POLICIES, routeGroupOf } from '@/lib/rate-limit';
import { BUCKET_NAMES, BUCKET_RULES, UPLOAD_BUCKETS, bucketForContentType, bucketNames } from '@/lib/storage/bucket-table';
import { execFileSync } from 'node:child_process';

describe('the recipes took effect', () => {
  it('a bucket: its type, its rule, the upload choice, the server-side name, the init scripts', () => {
    expect(BUCKET_NAMES).toContain('documents');
    expect(UPLOAD_BUCKETS).toContain('documents');
    expect(BUCKET_RULES.documents.maxBytes).toBe(50 * 1024 * 1024);
    expect(bucketForContentType('application/pdf')).toBe('documents');
    expect(bucketNames('acme').documents).toBe('acme-documents');
    const devList = execFileSync('node', ['-p', "Object.keys(require('./lib/storage/buckets.json')).filter((name) => name !== '$comment').join(' ')"]).toString();
    expect(devList.trim().split(' ')).toContain('documents');
  });

  it('a limit and a limit group: the policy, the group name, the form post routed to it', () => {
    expect(DEFAULT_POLICIES.uploads.rules[0]!.limit).toBe(45);
    expect(DEFAULT_POLICIES.invite.group).toBe('invite');
    expect(routeGroupOf('POST', '/team/invite')).toBe('invite');
  });

  it('an email: built from the registry with its subject and link', async () => {
    const email = buildEmail('invite', 'https://app.example.com', { inviter: 'Ada', token: 't 1' });
    expect(email.subject).toBe('You are invited to a zigznote team');
    const { html, text } = await renderEmail(email.react);
    expect(html).toContain('https://app.example.com/team/accept?token=t%201');
    expect(text).toContain('Ada invited you');
  });

  it('an environment variable: parsed, checked and typed', () => {
    expect(loadConfig({}).invitesPerDay).toBe(5);
    expect(loadConfig({ INVITES_PER_DAY: '9' }).invitesPerDay).toBe(9);
    expect(() => loadConfig({ INVITES_PER_DAY: 'many' })).toThrow(/INVITES_PER_DAY must be a number/);
  });
});
`,
  );
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the README recipes, each applied to a scratch copy with no other edit', () => {
  it('touch only the files they name', () => {
    expect([...edited].sort()).toEqual(
      [
        '.env.example',
        'emails/invite.tsx',
        'lib/config.ts',
        'lib/email/templates.ts',
        'lib/rate-limit/policies.ts',
        'lib/storage/buckets.json',
      ].sort(),
    );
  });

  it('type-check', () => {
    const typegen = run(bin('next'), ['typegen']);
    expect(typegen.code, typegen.output).toBe(0);
    const tsc = run(bin('tsc'), ['--noEmit', '-p', '.']);
    expect(tsc.code, tsc.output).toBe(0);
  }, 300_000);

  it('lint', () => {
    const files = [...edited].filter((path) => /\.(ts|tsx)$/.test(path));
    const eslint = run(bin('eslint'), ['--max-warnings', '0', ...files]);
    expect(eslint.code, eslint.output).toBe(0);
  }, 300_000);

  it('pass the affected unit tests, and do what they promise', () => {
    const vitest = run(bin('vitest'), [
      'run',
      '--reporter=verbose',
      '--project',
      'unit',
      'tests/unit/storage',
      'tests/unit/rate-limit',
      'tests/unit/emails',
      'tests/unit/config',
      'tests/unit/docker',
      'tests/unit/recipe-outcomes.test.tsx',
    ]);
    expect(vitest.code, vitest.output).toBe(0);
    expect(vitest.all).toMatch(/recipe-outcomes\.test\.tsx > the recipes took effect > an environment variable/);
  }, 300_000);
});
