import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '@/lib/config';

// .env.example is the one place each variable is documented (docs/configuration.md points to it).
describe('every environment variable is documented in .env.example', () => {
  const text = readFileSync('.env.example', 'utf8');
  // The compose file's own variables (COMPOSE_PROFILES, secrets it builds the app's from) come last.
  const lines = text.slice(0, text.indexOf('# --- docker/docker-compose.yml only ---')).split('\n');
  const assigned = (line: string) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];

  it('with a line of its own', () => {
    const listed = new Set(lines.map(assigned).filter(Boolean));
    expect(ENV_VARIABLES.filter((name) => !listed.has(name))).toEqual(['NODE_ENV']);
  });

  it('under a comment that explains it (variables of one group may share it), and none the app does not read', () => {
    const undocumented: string[] = [];
    lines.forEach((line, index) => {
      const name = assigned(line);
      if (!name) return;
      let above = index - 1;
      while (above >= 0 && assigned(lines[above]!)) above--;
      if (above < 0 || !lines[above]!.startsWith('# ')) undocumented.push(name);
    });
    expect(undocumented).toEqual([]);
    const unknown = lines.map(assigned).filter((name) => name && !(ENV_VARIABLES as string[]).includes(name));
    expect(unknown).toEqual([]);
  });
});
