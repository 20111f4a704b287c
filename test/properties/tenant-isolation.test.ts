import 'reflect-metadata';
import fc from 'fast-check';
import { container } from 'tsyringe';
import { Cached, ExecutionUtils, getExecutionContext, runWithContext } from '../../src';
import { PROPERTY_RUNS, forgetRegisteredServices, timeoutFor } from './runs';

/**
 * Tenant isolation under random interleavings: whatever a schedule of calls from several tenants,
 * caller aborts, clearCache() and expiries does, and in whatever order the loads complete, a call
 * returns only a value loaded for its own tenant and arguments, or rejects with its own abort.
 */

const TTL = 1_000;

/** Tenants whose ids spell one another once concatenated, and one without any context at all. */
const TENANTS = [
  { userId: 'alice', taskId: 't1' },
  { userId: 'alice', taskId: 't2' },
  { userId: 'bob' },
  { userId: 'a|b', taskId: 'c' },
  { userId: 'a', taskId: 'b|c' },
  {},
] as const satisfies readonly { userId?: string; taskId?: string }[];

/** Arguments that a careless key would confuse (1 and '1'). */
const ARGS = ['x', 'y', 1, '1'] as const;
type Arg = (typeof ARGS)[number];

/** What a load returns: who it ran for, as the method itself saw it, and with which argument. */
interface Loaded {
  readonly userId: string | undefined;
  readonly taskId: string | undefined;
  readonly arg: Arg;
  readonly run: number;
}

class Directory {
  runs = 0;
  /** Suspends a load until the scheduler lets it go on: fast-check picks the order. */
  pause: (label: string) => Promise<void> = () => Promise.resolve();

  @Cached({ ttl: TTL })
  async lookup(arg: Arg): Promise<Loaded> {
    return this.load(arg);
  }

  // Stale entries are served at once and refreshed in the background, with the caller's context.
  @Cached({ ttl: TTL, staleWhileRevalidate: TTL })
  async lookupStale(arg: Arg): Promise<Loaded> {
    return this.load(arg);
  }

  /**
   * Reads the tenant before and after its pause (a context lost across an await would show) and
   * ignores its signal: an abandoned load still completes, so every rejection a caller sees can
   * only be its own abort. What an abandoned load's signal means is single-flight.test.ts's rule.
   */
  private async load(arg: Arg): Promise<Loaded> {
    const run = ++this.runs;
    const before = getExecutionContext();
    await this.pause(`load ${run}: ${before?.userId}/${before?.taskId}/${String(arg)}`);
    const after = getExecutionContext();
    if (after?.userId !== before?.userId || after?.taskId !== before?.taskId) {
      throw new Error(`load ${run} changed tenant across an await`);
    }
    return { userId: after?.userId, taskId: after?.taskId, arg, run };
  }
}

type Method = 'lookup' | 'lookupStale';

/**
 * One step of a schedule. A call names its tenant and argument by position in the case's pools:
 * a few tenants and arguments per case, so that calls meet on the same keys (hits, joined loads)
 * while the pools still differ from case to case.
 */
type Op =
  | {
      readonly kind: 'call';
      readonly tenant: number;
      readonly arg: number;
      readonly method: Method;
      /** Whether the caller passes a signal (and so can abort); one without never leaves. */
      readonly cancellable: boolean;
    }
  /** Aborts the n-th call so far (modulo their count), if it has a signal. */
  | { readonly kind: 'abort'; readonly call: number }
  | { readonly kind: 'clear' }
  | { readonly kind: 'advance'; readonly ms: number }
  /** Lets up to `loads` pending loads go on, which ones the scheduler picks. */
  | { readonly kind: 'release'; readonly loads: number };

const TENANT_POOL = 3;
const ARG_POOL = 2;

const tenantPool = fc.uniqueArray(fc.nat(TENANTS.length - 1), {
  minLength: TENANT_POOL,
  maxLength: TENANT_POOL,
});
const argPool = fc.uniqueArray(fc.constantFrom(...ARGS), {
  minLength: ARG_POOL,
  maxLength: ARG_POOL,
});

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: callOp() },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abort'), call: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance'),
      // Within the TTL, just past it, inside and past the stale window.
      ms: fc.oneof(fc.constantFrom(TTL, TTL + 1, 2 * TTL + 1), fc.nat(3 * TTL)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('release'), loads: fc.integer({ min: 1, max: 3 }) }),
  },
);

function callOp(): fc.Arbitrary<Op> {
  return fc.record({
    kind: fc.constant('call'),
    tenant: fc.nat(TENANT_POOL - 1),
    arg: fc.nat(ARG_POOL - 1),
    method: fc.constantFrom<Method>('lookup', 'lookupStale'),
    cancellable: fc.boolean(),
  });
}

interface Issued {
  readonly tenant: (typeof TENANTS)[number];
  readonly arg: Arg;
  readonly controller: AbortController | undefined;
  readonly outcome: Promise<PromiseSettledResult<Loaded>>;
}

/** Why `call` broke isolation, or undefined when its outcome is allowed. */
function violation(call: Issued, outcome: PromiseSettledResult<Loaded>): string | undefined {
  const who = `${JSON.stringify(call.tenant)} calling with ${JSON.stringify(call.arg)}`;
  if (outcome.status === 'rejected') {
    const own = call.controller?.signal.aborted && outcome.reason === call.controller.signal.reason;
    return own ? undefined : `${who} rejected with ${String(outcome.reason)}`;
  }
  const value = outcome.value;
  const tenant: { userId?: string; taskId?: string } = call.tenant;
  if (value.userId === tenant.userId && value.taskId === tenant.taskId && value.arg === call.arg) {
    return undefined;
  }
  return `${who} got ${JSON.stringify(value)}`;
}

afterEach(forgetRegisteredServices);

describe('tenant isolation', () => {
  it(
    "returns every caller only its own tenant's value for its own arguments, under any interleaving",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          tenantPool,
          argPool,
          fc.array(op, { minLength: 1, maxLength: 40, size: 'medium' }),
          async (s, tenants, args, ops) => {
            const utils = ExecutionUtils.forTesting();
            container.registerInstance(ExecutionUtils, utils);
            const svc = new Directory();
            svc.pause = (label) => s.schedule(Promise.resolve(), label);
            const calls: Issued[] = [];
            try {
              for (const [index, step] of ops.entries()) {
                switch (step.kind) {
                  case 'call': {
                    const tenant = TENANTS[tenants[step.tenant]];
                    const arg = args[step.arg];
                    const controller = step.cancellable ? new AbortController() : undefined;
                    const ctx = { ...tenant, signal: controller?.signal };
                    const promise = runWithContext(ctx, () => svc[step.method](arg));
                    calls.push({
                      tenant,
                      arg,
                      controller,
                      outcome: promise.then(
                        (value) => ({ status: 'fulfilled', value }),
                        (reason: unknown) => ({ status: 'rejected', reason }),
                      ),
                    });
                    break;
                  }
                  case 'abort':
                    // A distinct reason per abort, so a caller handed another's abort shows.
                    calls[step.call % Math.max(1, calls.length)]?.controller?.abort(
                      new Error(`abort #${index}`),
                    );
                    break;
                  case 'clear':
                    void utils.clearCache();
                    break;
                  case 'advance':
                    await utils.clock.advance(step.ms);
                    break;
                  case 'release':
                    for (let i = 0; i < step.loads && s.count() > 0; i++) await s.waitNext(1);
                    break;
                }
              }
              // Let every pending load go on, in an order the scheduler picks, until each call
              // has an outcome; then let background refreshes finish too.
              const outcomes = await s.waitFor(Promise.all(calls.map((c) => c.outcome)));
              await s.waitIdle();
              const problems = calls
                .map((c, i) => violation(c, outcomes[i]))
                .filter((p): p is string => p !== undefined);
              expect(problems).toEqual([]);
            } finally {
              forgetRegisteredServices();
            }
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(5),
  );
});
