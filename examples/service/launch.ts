import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePorts } from './free-ports';

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
/** After SIGTERM, how long the primary gets to stop its workers before SIGKILL. */
const STOP_WITHIN_MS = 5_000;
const LAUNCH_ATTEMPTS = 5;

/**
 * Starts `examples/service/main.ts` (through ts-node, transpiled once at start-up: the same code as
 * the tsc build) with `env` added to this process's environment, on ports of its own (PORT and the
 * workers' ports are chosen here), and waits for its ready line. A port taken between the probe and
 * the bind makes a worker fail at start, which ends the primary: then it tries other ports.
 */
export async function launchService(env: Record<string, string>): Promise<RunningService> {
  const workers = Number(env.WORKERS ?? 2);
  for (let attempt = 1; ; attempt++) {
    const port = await freePorts(workers + 1);
    try {
      return await launchOn(port, workers, env);
    } catch (error) {
      const raced = error instanceof Error && error.message.includes('EADDRINUSE');
      if (!raced || attempt === LAUNCH_ATTEMPTS) throw error;
    }
  }
}

async function launchOn(
  port: number,
  workers: number,
  env: Record<string, string>,
): Promise<RunningService> {
  const child = spawnService({ ...env, PORT: String(port), WORKERS: String(workers) });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
    await exited;
    clearTimeout(killer);
  };
  try {
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
  } catch (error) {
    // Never leave a half-started service behind: its pipes would keep the caller's process alive.
    await stop();
    throw error;
  }
  return {
    port,
    workerPorts: Array.from({ length: workers }, (_, i) => port + 1 + i),
    output: () => output,
    stop,
  };
}

/**
 * Starts `examples/service/main.ts` as it is, with `env` added to this process's environment, its
 * output piped: no port chosen, no wait.
 */
export function spawnService(env: Record<string, string>): ChildProcess {
  const root = join(__dirname, '..', '..');
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(root, 'examples', 'service', 'main.ts')],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}
