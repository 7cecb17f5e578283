// A TCP port that never opens a connection, as a network dropping packets looks: a listener whose accept
// queue is full and never drained, so the kernel drops every new connection attempt (Linux).
import { spawn } from 'node:child_process';

const SCRIPT = `import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
print(s.getsockname()[1], flush=True)
fillers = [socket.socket() for _ in range(3)]
for c in fillers:
    c.setblocking(False)
    try: c.connect(s.getsockname())
    except BlockingIOError: pass
time.sleep(300)`;

export async function blackHole(): Promise<{ url: string; close: () => void }> {
  const listener = spawn('python3', ['-c', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    listener.once('error', reject);
    listener.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  return { url: `http://127.0.0.1:${port}`, close: () => void listener.kill() };
}
