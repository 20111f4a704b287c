import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A running example service (its primary and workers), as the test and the load script see it. */
export interface RunningService {
  /** The shared API port. */
  readonly port: number;
  /** Worker i's own port: `port + 1 + i`. */
  readonly workerPorts: readonly number[];
  /** Everything the primary and the workers printed. */
  output(): string;
  /** SIGTERM to the primary (it stops its workers), and waits for its exit. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 60_000;

/** A free port to run the service from (it takes the next WORKERS ports too, which are probably free). */
export async function freePortBase(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  // Below the top of the port range, so that the workers' ports exist.
  return Math.min(port, 60_000);
}

/**
 * Starts `examples/service/main.ts` (through ts-node, transpiled once at start-up: the same code as
 * the tsc build) with `env` added to this process's environment, and waits for its ready line.
 */
export async function launchService(env: Record<string, string>): Promise<RunningService> {
  const root = join(__dirname, '..', '..');
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(root, 'examples', 'service', 'main.ts')],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready in ${READY_WITHIN_MS} ms:\n${output}`)),
      READY_WITHIN_MS,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('service ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the service exited before it was ready:\n${output}`));
    });
  });
  const port = Number(env.PORT);
  const workers = Number(env.WORKERS ?? 2);
  return {
    port,
    workerPorts: Array.from({ length: workers }, (_, i) => port + 1 + i),
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
