// A TCP port that never opens a connection, as a network dropping packets looks (Linux): a listener in
// a child process that is stopped (SIGSTOP) so it never accepts, with its accept queue filled by
// connections of ours, so the kernel drops every later connection attempt.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

const LISTENER = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  console.log(server.address().port);
  process.kill(process.pid, 'SIGSTOP');
});`;

export async function blackHole(): Promise<{ url: string; close: () => void }> {
  const listener = spawn(process.execPath, ['-e', LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(
    await new Promise<string>((resolve, reject) => {
      listener.once('error', reject);
      listener.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    }),
  );
  // Once it is stopped, connections of ours fill what its accept queue holds; the first one to open
  // proves the listener is there, the rest only wait.
  const fillers: Socket[] = [];
  await new Promise<void>((resolve) => {
    for (let i = 0; i < 4; i++) {
      const filler = connect(port, '127.0.0.1');
      filler.on('error', () => {});
      filler.once('connect', resolve);
      fillers.push(filler);
    }
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const filler of fillers) filler.destroy();
      listener.kill('SIGKILL');
    },
  };
}
