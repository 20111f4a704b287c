// A worker process of the suites that run the Redis tier across real processes (multi-process,
// shared-rate-limit): test/cache/redis/worker.ts, compiled once per run, driven over IPC.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Push, Reply, Request, WorkerInit, WorkerStats } from './worker';

const root = join(__dirname, '..', '..', '..');
/** Per run and suite: two runs at once do not write over each other's build. */
export const buildDirOf = (suite: string): string => join(root, 'build', `${suite}-${process.pid}`);
const REPLY_WITHIN_MS = 10_000;

export type Invalidated = Extract<Push, { event: 'invalidated' }>;
export type Replied = Reply & { ok: true };

/**
 * Compiles the worker and the library into build/ (so `reflect-metadata`, `ioredis` resolve from
 * the repository's node_modules) without type-checking: `npm run typecheck` does that. A worker
 * then starts in a few hundred ms instead of the seconds ts-node takes to transpile src/.
 */
export async function buildWorker(buildDir: string): Promise<string> {
  mkdirSync(buildDir, { recursive: true });
  const tsconfig = {
    extends: '../../tsconfig.json',
    compilerOptions: {
      outDir: 'out',
      rootDir: '../..',
      types: ['node'],
      sourceMap: false,
      declaration: false,
    },
    include: [],
    files: ['../../test/cache/redis/worker.ts'],
  };
  writeFileSync(join(buildDir, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = require.resolve('typescript/bin/tsc');
  const args = [tsc, '-p', join(buildDir, 'tsconfig.json'), '--noCheck'];
  await promisify(execFile)(process.execPath, args, { cwd: root }).catch((error: unknown) => {
    const { stdout = '' } = error as { stdout?: string };
    throw new Error(`compiling test/cache/redis/worker.ts failed:\n${stdout}`, { cause: error });
  });
  return join(buildDir, 'out', 'test', 'cache', 'redis', 'worker.js');
}

/** A forked worker: requests with ids, replies matched to them, pushes kept. */
export class Worker {
  /** ms from fork to the worker's first message. */
  readonly ready: Promise<number>;
  /** Settles once the process has exited and its pipes are closed. */
  readonly exited: Promise<void>;
  readonly invalidations: Invalidated[] = [];
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (reply: Reply | Error) => void>();
  private lastId = 0;
  private stderr = '';

  constructor(
    readonly name: string,
    script: string,
  ) {
    const forkedAt = Date.now();
    let onReady!: (ms: number) => void;
    let onDeath!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => ((onReady = resolve), (onDeath = reject)));
    this.ready.catch(() => {});
    this.child = fork(script, [], { cwd: root, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('message', (message: Reply | Push) => {
      if ('event' in message) {
        if (message.event === 'ready') onReady(Date.now() - forkedAt);
        else this.invalidations.push(message);
      } else this.pending.get(message.id)?.(message);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        const died = new Error(`${name} exited (${signal ?? code}); stderr:\n${this.stderr}`);
        onDeath(died);
        for (const settle of this.pending.values()) settle(died);
        resolve();
      });
    });
  }

  /** The reply to `request`; rejects on an error reply, the worker's death or no reply in time. */
  request(request: Request, within = REPLY_WITHIN_MS): Promise<Replied> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new Error(`${this.name}: no reply to '${request.cmd}' within ${within} ms`)),
        within,
      );
      const settle = (reply: Reply | Error): void => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (reply instanceof Error) reject(reply);
        else if (reply.ok) resolve(reply);
        else reject(new Error(`${this.name} '${request.cmd}': ${reply.error}`));
      };
      this.pending.set(id, settle);
      this.child.send({ id, ...request }, (error) => error && settle(error));
    });
  }

  async call(op: string, tenant: string, arg: number): Promise<string> {
    const [value] = (await this.request({ cmd: 'call', op, tenant, arg })).value as string[];
    return value;
  }

  async stats(): Promise<WorkerStats> {
    return (await this.request({ cmd: 'stats' })).value as WorkerStats;
  }

  async redisUp(): Promise<boolean> {
    const { value } = await this.request({ cmd: 'health' });
    return (value as { tiers: { redis?: { status: string } } }).tiers.redis?.status === 'up';
  }

  setVersion(version: number): Promise<Replied> {
    return this.request({ cmd: 'setVersion', version });
  }

  /** SIGKILL (if it still runs), and waits for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * `count` workers of `script`, started and initialised with `init`; each is pushed onto `started`
 * as soon as it exists, so the suite's afterEach kills it whatever happens.
 */
export function startTeam(
  script: string,
  count: number,
  init: WorkerInit,
  started: Worker[],
): Promise<Worker[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const worker = new Worker(`worker ${i + 1}`, script);
      started.push(worker);
      await worker.ready;
      await worker.request({ cmd: 'init', ...init });
      return worker;
    }),
  );
}
