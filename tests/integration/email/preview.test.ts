import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../support/redis-server';

describe('npm run email:dev', () => {
  it('serves the template previews on its own port without asking anything', async () => {
    const port = await freePort();
    const child = spawn('node_modules/.bin/email', ['dev', '--dir', 'emails', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
      // Its own process group: the bin is a wrapper whose server is a child, and both must stop.
      detached: true,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 60_000;
      let page = '';
      while (Date.now() < deadline) {
        try {
          const response = await fetch(`http://localhost:${port}/preview/verify-email`);
          if (response.ok) {
            page = await response.text();
            break;
          }
        } catch {
          // not up yet
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(page, output).toContain('verify-email');
      // the email itself, rendered with its preview props: its heading, greeting and link
      expect(page, output).toContain('Verify your email address');
      expect(page, output).toContain('Hello,');
      expect(page, output).toContain('http://localhost:3000/auth/verify-email?token=preview');
      expect(output).not.toMatch(/\? .*\(y\/n\)|Would you like/i);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }, 90_000);
});
