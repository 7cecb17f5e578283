import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '@/lib/config';

describe('every environment variable is documented', () => {
  const example = readFileSync('.env.example', 'utf8');
  const readme = readFileSync('README.md', 'utf8');

  it('in .env.example, with a line of its own', () => {
    const missing = ENV_VARIABLES.filter((name) => !new RegExp(`^${name}=`, 'm').test(example));
    expect(missing).toEqual(['NODE_ENV']);
  });

  it("in the README's table", () => {
    const missing = ENV_VARIABLES.filter((name) => name !== 'NODE_ENV' && !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
