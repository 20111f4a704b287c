// One process of test/cache/redis/multi-process.test.ts: an ExecutionUtils on the suite's Redis, driven
// by its parent over IPC: requests `{ id, cmd, ... }`, replies `{ id, ok, value | error, at, ms }`.
// Compiled once per run by that suite, into build/ (node_modules must resolve from there). Counts
// its method's runs; pushes each `invalidated` event with the time it happened (the processes
// share the clock).
import 'reflect-metadata';
import {
  ExecutionUtils,
  RateLimitedError,
  runWithContext,
  type ExecutionUtilsOptions,
} from '../../../src';

export interface WorkerInit {
  /** JSON-only options: redis (url, commandTimeout, lock, breaker), namespace, l1. */
  options: Pick<ExecutionUtilsOptions, 'redis' | 'namespace' | 'l1'>;
  /** How long the method takes, in ms; `delays` gives some operations their own. */
  methodMs: number;
  delays?: Record<string, number>;
  /** The cache TTL in ms. Default: the service's. */
  ttl?: number;
}

export type Request =
  | ({ cmd: 'init' } & WorkerInit)
  /**
   * `count` calls of (op, tenant, arg) at once; replies with their values. `spinMs`: the task
   * after the calls' claims are sent holds the event loop that long (a busy process).
   */
  | { cmd: 'call'; op: string; tenant: string; arg: number; count?: number; spinMs?: number }
  /** The method's answers from now on carry this version. */
  | { cmd: 'setVersion'; version: number }
  | { cmd: 'stats' }
  | { cmd: 'health' }
  | { cmd: 'invalidateTenant'; tenant: string }
  /** Calls (op, tenant, arg) in `lanes` loops, over `tenants` x [0, keys), until `stopLoop`. */
  | { cmd: 'loop'; op: string; tenants: string[]; keys: number; lanes: number }
  | { cmd: 'stopLoop' }
  /** Offers calls to a shared rate limit at `perSecond` for `ms`, as `tenant`; see RateSummary. */
  | ({ cmd: 'rateLoop' } & RateLoop)
  /** Calls a dependency behind a shared breaker every `everyMs` for `ms`; see BreakerSummary. */
  | ({ cmd: 'breakerLoop' } & BreakerLoop)
  | { cmd: 'close' };

/** `at`: Date.now() when the command finished; `ms`: how long it took in the worker. */
export type Reply = { id: number; at: number; ms: number } & (
  { ok: true; value: unknown } | { ok: false; error: string }
);

export interface WorkerStats {
  stats: ReturnType<ExecutionUtils['getStats']>;
  /** How many times the method ran in this process. */
  runs: number;
}

export interface LoopSummary {
  calls: number;
  rejected: number;
  /** Calls that resolved with another value than (op, tenant, arg, version) calls for. */
  wrong: number;
  maxMs: number;
  /** The first few rejections and wrong values. */
  problems: string[];
}

export interface RateLoop {
  limit: number;
  intervalMs: number;
  scope?: 'operation' | 'tenant';
  localLimit?: number;
  tenant: string;
  perSecond: number;
  ms: number;
}

export interface RateSummary {
  admitted: number;
  refused: number;
  /** Calls that failed otherwise than with RateLimitedError. */
  failed: number;
  /** The slowest call, admitted or refused, in ms. */
  maxMs: number;
  /** Date.now() of each admission. */
  admittedAt: number[];
}

export interface BreakerLoop {
  /** Date.now() from which the dependency fails every call. */
  dieAt: number;
  consecutiveFailures: number;
  halfOpenAfter: number;
  everyMs: number;
  ms: number;
}

export interface BreakerSummary {
  /** Date.now() of each call that reached the dependency. */
  calls: number[];
  /** Date.now() of each time this process's breaker opened (by itself or told by another). */
  opened: number[];
}

export type Push =
  | { event: 'ready' }
  | { event: 'invalidated'; at: number; kind: string; dropped: number; origin: string };

/** What the method answers; the suite checks values against the same text. */
export const valueOf = (op: string, tenant: string, arg: number, version: number): string =>
  `${op}|${tenant}|${arg}|v${version}`;

type Method = (arg: number, tenant: string) => Promise<string>;

let utils: ExecutionUtils | undefined;
let init: WorkerInit | undefined;
let methods = new Map<string, Method>();
let version = 1;
let runs = 0;
let loop: { stop: boolean; done?: Promise<LoopSummary> } | undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const spin = (ms: number): void => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
const send = (message: Reply | Push): void => {
  process.send?.(message);
};

function method(op: string): Method {
  let fn = methods.get(op);
  if (!fn) {
    const ms = init!.delays?.[op] ?? init!.methodMs;
    fn = utils!.wrap(
      async (arg: number, tenant: string) => {
        runs++;
        const answer = valueOf(op, tenant, arg, version);
        await sleep(ms);
        return answer;
      },
      { name: op, cache: init!.ttl === undefined ? true : { ttl: init!.ttl } },
    );
    methods.set(op, fn);
  }
  return fn;
}

const call = (op: string, tenant: string, arg: number): Promise<string> =>
  runWithContext({ userId: tenant }, () => method(op)(arg, tenant));

async function start(options: WorkerInit): Promise<void> {
  await utils?.close();
  init = options;
  methods = new Map();
  runs = 0;
  version = 1;
  utils = new ExecutionUtils(options.options);
  utils.on('invalidated', ({ kind, dropped, origin }) =>
    send({ event: 'invalidated', at: Date.now(), kind, dropped, origin }),
  );
  // Commands wait for the first connection only under their own timeout: connected first, the
  // suite's counts do not depend on how fast this process came up.
  for (let tries = 0; (await utils.health()).tiers.redis?.status !== 'up'; tries++) {
    if (tries === 200) throw new Error('Redis did not come up within ~2 s');
    await sleep(10);
  }
}

function startLoop(op: string, tenants: string[], keys: number, lanes: number): void {
  const state: NonNullable<typeof loop> = { stop: false };
  const summary: LoopSummary = { calls: 0, rejected: 0, wrong: 0, maxMs: 0, problems: [] };
  const lane = async (n: number): Promise<void> => {
    for (let i = n; !state.stop; i += lanes) {
      const tenant = tenants[i % tenants.length];
      const arg = Math.floor(i / tenants.length) % keys;
      const started = Date.now();
      try {
        const value = await call(op, tenant, arg);
        if (value !== valueOf(op, tenant, arg, version)) {
          summary.wrong++;
          summary.problems.push(`(${tenant}, ${arg}) gave ${value}`);
        }
      } catch (error) {
        summary.rejected++;
        summary.problems.push(`(${tenant}, ${arg}) rejected: ${String(error)}`);
      }
      summary.calls++;
      summary.maxMs = Math.max(summary.maxMs, Date.now() - started);
      // Hits resolve at once: a pause keeps the loops from taking both cores.
      await sleep(2);
    }
  };
  state.done = Promise.all(Array.from({ length: lanes }, (_, n) => lane(n))).then(() => ({
    ...summary,
    problems: summary.problems.slice(0, 5),
  }));
  loop = state;
}

/** Calls a limited method every 1000 / perSecond ms for `ms` (not waiting for each), then sums up. */
async function rateLoop(request: RateLoop): Promise<RateSummary> {
  const { limit, intervalMs, scope, localLimit, tenant, perSecond, ms } = request;
  const limited = utils!.wrap(async () => 'ok', {
    name: `limited-${scope ?? 'operation'}`,
    rateLimit: { limit, intervalMs, scope, localLimit, shared: true },
  });
  const summary: RateSummary = { admitted: 0, refused: 0, failed: 0, maxMs: 0, admittedAt: [] };
  const calls: Promise<void>[] = [];
  const end = Date.now() + ms;
  for (let next = Date.now(); next < end; next += 1_000 / perSecond) {
    await sleep(Math.max(0, next - Date.now()));
    const started = Date.now();
    calls.push(
      runWithContext({ userId: tenant }, () => limited())
        .then(
          () => {
            summary.admitted++;
            summary.admittedAt.push(Date.now());
          },
          (error: unknown) => {
            if (error instanceof RateLimitedError) summary.refused++;
            else summary.failed++;
          },
        )
        .finally(() => (summary.maxMs = Math.max(summary.maxMs, Date.now() - started))),
    );
  }
  await Promise.all(calls);
  return summary;
}

/** Calls a dependency that dies at `dieAt` behind a shared breaker, and sums up. */
async function breakerLoop(request: BreakerLoop): Promise<BreakerSummary> {
  const { dieAt, consecutiveFailures, halfOpenAfter, everyMs, ms } = request;
  const summary: BreakerSummary = { calls: [], opened: [] };
  const listener = ({ to }: { to: string }): void => {
    if (to === 'open') summary.opened.push(Date.now());
  };
  utils!.on('breakerStateChange', listener);
  const charge = utils!.wrap(
    async () => {
      const now = Date.now();
      summary.calls.push(now);
      if (now >= dieAt) throw new Error('the dependency is down');
      return 'charged';
    },
    { name: 'Payments.charge', breaker: { consecutiveFailures, halfOpenAfter, shared: true } },
  );
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await charge().catch(() => {});
    await sleep(everyMs);
  }
  utils!.off('breakerStateChange', listener);
  return summary;
}

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'init':
      return start(request);
    case 'call': {
      const { op, tenant, arg, count = 1, spinMs = 0 } = request;
      const calls = Promise.all(Array.from({ length: count }, () => call(op, tenant, arg)));
      if (spinMs > 0) setImmediate(() => spin(spinMs));
      return calls;
    }
    case 'setVersion':
      version = request.version;
      return version;
    case 'stats':
      return { stats: utils!.getStats(), runs } satisfies WorkerStats;
    case 'health':
      return utils!.health();
    case 'invalidateTenant':
      return utils!.invalidateTenant(request.tenant);
    case 'loop':
      return startLoop(request.op, request.tenants, request.keys, request.lanes);
    case 'stopLoop': {
      if (!loop) throw new Error('no loop is running');
      loop.stop = true;
      const summary = await loop.done;
      loop = undefined;
      return summary;
    }
    case 'rateLoop':
      return rateLoop(request);
    case 'breakerLoop':
      return breakerLoop(request);
    case 'close':
      await utils?.close();
      utils = undefined;
      return undefined;
  }
}

// Imported by the suite for its types and `valueOf` only: the protocol runs when forked.
if (require.main === module) {
  process.on('message', (message: { id: number } & Request) => {
    const started = Date.now();
    handle(message).then(
      (value) =>
        send({ id: message.id, ok: true, value, at: Date.now(), ms: Date.now() - started }),
      (error: unknown) =>
        send({
          id: message.id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          at: Date.now(),
          ms: Date.now() - started,
        }),
    );
  });
  // The suite is gone (or done): nothing to keep this process for.
  process.on('disconnect', () => process.exit(0));
  send({ event: 'ready' });
}
