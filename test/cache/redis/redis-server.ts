import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { runInThisContext } from 'node:vm';
import { freePorts } from '../../../examples/service/free-ports';

/**
 * A private redis-server per suite, on a free port of its own: the suites never touch a Redis
 * someone else runs (6379 included), and they can pause, kill and restart theirs at will.
 */

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:port */
  readonly url: string;
  /** SIGSTOP: the server hangs (connections stay open, nothing answers). */
  pause(): void;
  /** SIGCONT: the server answers again, queued commands included. */
  resume(): void;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (after kill()); waits until it answers. */
  restart(): Promise<void>;
  /** Resumes it if paused, shuts it down and waits for the exit; does nothing once stopped. */
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 5000;
const POLL_EVERY_MS = 20;
const PROBE_TIMEOUT_MS = 250;
/** A graceful shutdown has nothing to save; past this, SIGKILL. */
const STOP_WITHIN_MS = 2000;
const PORT_ATTEMPTS = 5;
/**
 * The servers' ports (never 6379), below Linux's ephemeral range (32768 and up): a killed server
 * is restarted on its port, which a client socket of another suite must not have been given
 * meanwhile. (The cluster suite's nodes use 12000-17000, their buses 22000-27000.)
 */
const REDIS_PORTS_FROM = 27_000;
const REDIS_PORTS_SPAN = 5_700;

const HOW_TO_ENABLE = 'install redis-server (apt-get install redis-server) to run the Redis suites';

export const redisAvailable: boolean =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `describe` when redis-server is on PATH. Without it: skipped with one line saying how to enable
 * it, except in CI (CI=true), where a missing binary must fail the build, not hide the suite.
 */
export function describeRedis(name: string, fn: () => void): void {
  if (redisAvailable) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs redis-server on PATH', () => {
        throw new Error(
          `redis-server is not on PATH (CI=true: the Redis suites fail, not skip): ${HOW_TO_ENABLE}`,
        );
      });
    });
  } else {
    console.warn(`Skipping "${name}": ${HOW_TO_ENABLE}`);
    describe.skip(name, fn);
  }
}

/**
 * @param options.port a port chosen by the caller (no retry on another one);
 *   `options.args` more redis-server arguments (cluster mode, say), kept for `restart()`.
 */
export async function startRedis(
  options: { port?: number; args?: readonly string[] } = {},
): Promise<RedisServer> {
  const extra = options.args ?? [];
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePorts(1, REDIS_PORTS_FROM, REDIS_PORTS_SPAN));
    const instance = launch(port, extra);
    try {
      await instance.ready();
      return new PrivateRedis(port, instance, extra);
    } catch (error) {
      // The port was free when probed and taken before redis-server bound it: try another.
      const raced = /Address already in use/i.test(instance.output());
      if (!raced || attempt === PORT_ATTEMPTS || options.port !== undefined) throw error;
    }
  }
}

class PrivateRedis implements RedisServer {
  private paused = false;

  constructor(
    readonly port: number,
    private instance: Instance,
    private readonly extra: readonly string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  async kill(): Promise<void> {
    // SIGKILL ends a stopped process too: no SIGCONT needed.
    this.instance.child.kill('SIGKILL');
    this.paused = false;
    await this.instance.exited;
  }

  async restart(): Promise<void> {
    if (this.instance.alive()) throw new Error('restart(): the server is still running; kill() it');
    this.instance = launch(this.port, this.extra);
    await this.instance.ready();
  }

  async stop(): Promise<void> {
    const { child, exited } = this.instance;
    if (!this.instance.alive()) return exited;
    // A stopped process only acts on SIGTERM once it runs again.
    if (this.paused) this.resume();
    child.kill('SIGTERM');
    const fallback = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
    await exited;
    clearTimeout(fallback);
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.instance.alive())
      throw new Error(`${signal}: the server on ${this.port} is not running`);
    this.instance.child.kill(signal);
  }
}

/** One redis-server process: the server is one of these per start. */
interface Instance {
  readonly child: ChildProcess;
  /** Settles once the process has exited and its output pipes are closed. */
  readonly exited: Promise<void>;
  alive(): boolean;
  /** Everything it wrote to stdout and stderr, for the failure messages. */
  output(): string;
  /** Resolves once this process answers on its port; rejects (with its output) if it never does. */
  ready(): Promise<void>;
}

function launch(port: number, extra: readonly string[]): Instance {
  const args = ['--port', String(port), '--bind', '127.0.0.1'];
  // '' as its own argv element: no RDB snapshots, no AOF; the data lives as long as the process.
  args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extra);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let alive = true;
  const collect = (chunk: string): void => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  // No pid: the spawn failed, and 'error' below says why.
  if (child.pid !== undefined) track(child);
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      // The spawn itself failed (no binary): no 'close' follows.
      alive = false;
      collect(String(error));
      resolve();
    });
    child.once('exit', () => {
      alive = false;
    });
    child.once('close', () => resolve());
  });
  const instance: Instance = {
    child,
    exited,
    alive: () => alive,
    output: () => output,
    ready: () => waitUntilReady(instance, port),
  };
  return instance;
}

async function waitUntilReady(instance: Instance, port: number): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (instance.alive() && Date.now() < deadline) {
    if (await answersAs(port, instance.child.pid)) return;
    await sleep(POLL_EVERY_MS);
  }
  const why = instance.alive() ? `did not answer within ${READY_WITHIN_MS} ms` : 'exited';
  instance.child.kill('SIGKILL');
  await instance.exited;
  throw new Error(`redis-server on port ${port} ${why}. Its output:\n${instance.output()}`);
}

/**
 * Whether the server on `port` is ready and is the process `pid`: a raw INFO, whose reply names
 * the server's process id. A plain PING could be answered by another Redis that took the port
 * first; INFO is refused (-LOADING) until the server is ready, as PING is.
 */
function answersAs(port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.includes(`\r\nprocess_id:${pid}\r\n`)) done(true);
      else if (reply.startsWith('-')) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Servers still running when the process exits are SIGKILLed, so a crashed or interrupted run
 * leaves no redis-server behind. The listener goes on the host's `process`: jest gives each test
 * file a copy of `process` whose 'exit' never fires. It is there only while servers run.
 */
const hostProcess = runInThisContext('process') as NodeJS.Process;
const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

function track(child: ChildProcess): void {
  if (running.size === 0) hostProcess.on('exit', killAll);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) hostProcess.off('exit', killAll);
  });
}
