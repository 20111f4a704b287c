/**
 * A private redis-server for one scenario: started on a free port of 127.0.0.1 (never 6379), with
 * no persistence, and stopped at the end. Nothing else ever connects to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

const STARTUP_MS = 5_000;

/** A started server, or why none could be started (`missing`: no redis-server on PATH). */
export async function startPrivateRedis(): Promise<
  { server: PrivateRedis } | { missing: true } | { error: string }
> {
  let lastError = '';
  // A port free when asked may be taken before the server binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        tmpdir(),
      ],
      { stdio: 'ignore' },
    );
    const started = await waitForPing(child, port);
    if (started === 'missing') return { missing: true };
    if (started === 'ready') return { server: handle(child, port) };
    lastError = started;
    await stopChild(child);
  }
  return { error: lastError };
}

function handle(child: ChildProcess, port: number): PrivateRedis {
  // Should the bench die before `stop()`, the server does not outlive it.
  const onExit = (): void => void child.kill('SIGKILL');
  process.on('exit', onExit);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      process.off('exit', onExit);
      await stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** A port nothing listens on now, other than Redis's default. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (port !== 6379 && port !== 0) return port;
  }
}

/** 'ready' once the server answers PING, 'missing' without redis-server, else why it failed. */
async function waitForPing(child: ChildProcess, port: number): Promise<string> {
  let failure: string | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure = error.code === 'ENOENT' ? 'missing' : `redis-server: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    failure ??= `redis-server exited (${signal ?? `code ${code}`}) on port ${port}`;
  });
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (failure) return failure;
    if (await ping(port)) return 'ready';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return failure ?? `redis-server did not answer PING on port ${port} within ${STARTUP_MS} ms`;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
