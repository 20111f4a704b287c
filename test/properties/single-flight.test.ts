import 'reflect-metadata';
import fc from 'fast-check';
import { container } from 'tsyringe';
import { Cached, ExecutionUtils, currentSignal, runWithContext } from '../../src';
import { deferred } from '../helpers';
import { PROPERTY_RUNS, check, forgetRegisteredServices, timeoutFor } from './runs';

/**
 * Single-flight, as README "How a call runs" states it: concurrent callers of a missing key share
 * one execution; a caller whose signal aborts leaves at once with its own reason and the others
 * keep waiting; the shared work's signal aborts only when every caller has left. A load every
 * caller left is abandoned: a later caller starts fresh work instead of joining it.
 */

class Loader {
  runs = 0;
  gate = deferred<void>();

  /**
   * Waits for the test's gate; `honoursSignal` decides whether it also stops when its signal
   * aborts (a fetch does) or runs to the end regardless (a driver call that cannot be cancelled).
   * Either way, an abandoned load must not be joined.
   */
  honoursSignal = true;

  @Cached()
  async load(_id: string): Promise<string> {
    const run = ++this.runs;
    const signal = currentSignal();
    await new Promise<void>((resolve, reject) => {
      void this.gate.promise.then(resolve);
      if (this.honoursSignal) {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }
    });
    return `value of run ${run}`;
  }
}

/**
 * When a caller aborts, relative to the others joining: before it joins itself (its signal is
 * already aborted), or right after caller `after` has joined (a moment before its own join means
 * right after it).
 */
type AbortMoment = { readonly before: true } | { readonly after: number };

/** For each caller, in joining order: when it aborts, or undefined when it stays. */
type Plan = readonly (AbortMoment | undefined)[];

const abortMoment = (callers: number): fc.Arbitrary<AbortMoment> =>
  fc.oneof(
    fc.constant({ before: true } as const),
    fc.nat(callers - 1).map((after) => ({ after })),
  );

/** 1..8 callers; each aborts at a random moment or stays, as `aborts` says. */
function plans(aborts: 'none' | 'some' | 'all'): fc.Arbitrary<Plan> {
  return fc.integer({ min: 1, max: 8 }).chain((n) => {
    const moment = abortMoment(n);
    const each =
      aborts === 'none'
        ? fc.constant(undefined)
        : aborts === 'all'
          ? moment
          : fc.option(moment, { nil: undefined });
    return fc.array(each, { minLength: n, maxLength: n });
  });
}

/** Caller `j`'s abort, as the index of the join right after which it happens. */
const abortStep = (moment: AbortMoment, j: number): number =>
  'before' in moment ? j : Math.max(moment.after, j);

/**
 * Whether someone is waiting on the load after every join (and the aborts right after it): then
 * no caller ever finds the load abandoned, and there is exactly one load to share.
 */
function staysOccupied(plan: Plan): boolean {
  let present = 0;
  for (let i = 0; i < plan.length; i++) {
    present++;
    present -= plan.filter((moment, j) => moment && abortStep(moment, j) === i).length;
    if (present === 0) return false;
  }
  return true;
}

/** Whether the later caller arrives in the same turn as the last abort or after a full flush. */
const laterCallerTiming = fc.constantFrom('same turn', 'after a flush');

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Outcome = { readonly value: string } | { readonly error: unknown };

/** Shows an outcome in a failure message. */
const show = (outcome: Outcome | undefined): string =>
  outcome && 'value' in outcome
    ? JSON.stringify(outcome.value)
    : `rejected: ${String(outcome?.error)}`;

/** A caller's abort reason. Not an Error: capturing 100_000s of stacks would dominate the run. */
class Left {
  constructor(readonly caller: number) {}
  toString(): string {
    return `caller ${this.caller} left`;
  }
}

interface Stampede {
  readonly loader: Loader;
  /** Each caller's outcome, once the load settles. */
  readonly outcomes: Promise<Outcome[]>;
  /** Each caller's own abort reason. */
  readonly reasons: readonly Left[];
}

/**
 * A fresh service and loader, and the plan's callers joining one by one (same tenant, same
 * argument, each with its own AbortController), aborting as planned in between. The load stays
 * pending until the test resolves `loader.gate`.
 */
function join(plan: Plan, honoursSignal: boolean): Stampede {
  container.registerInstance(ExecutionUtils, ExecutionUtils.forTesting());
  const loader = new Loader();
  loader.honoursSignal = honoursSignal;
  const controllers = plan.map(() => new AbortController());
  const reasons = plan.map((_, i) => new Left(i));
  const abort = (i: number): void => controllers[i].abort(reasons[i]);
  const calls: Promise<string>[] = [];
  for (const [i, moment] of plan.entries()) {
    if (moment && 'before' in moment) abort(i);
    calls.push(runWithContext({ signal: controllers[i].signal }, () => loader.load('k')));
    for (const [j, other] of plan.entries()) {
      if (other && 'after' in other && abortStep(other, j) === i) abort(j);
    }
  }
  const outcomes = Promise.all(
    calls.map((call) =>
      call.then(
        (value): Outcome => ({ value }),
        (error: unknown): Outcome => ({ error }),
      ),
    ),
  );
  return { loader, outcomes, reasons };
}

/** Each caller that aborted left with its own reason (the load was still pending then). */
function checkAbortersLeftWithTheirOwnReason(
  plan: Plan,
  stampede: Stampede,
  outcomes: Outcome[],
): void {
  for (const [i, moment] of plan.entries()) {
    if (!moment) continue;
    const outcome = outcomes[i];
    check(
      'error' in outcome && outcome.error === stampede.reasons[i],
      () => `caller ${i} aborted but got ${show(outcome)}`,
    );
  }
}

/** Each caller that stayed got the value of the first (and only) run. */
function checkStayersServed(plan: Plan, outcomes: Outcome[]): void {
  for (const [i, moment] of plan.entries()) {
    if (moment) continue;
    const outcome = outcomes[i];
    check(
      outcome !== undefined && 'value' in outcome && outcome.value === 'value of run 1',
      () => `caller ${i} stayed but got ${show(outcome)}`,
    );
  }
}

const checkRuns = (loader: Loader, expected: number): void =>
  check(loader.runs === expected, () => `the method ran ${loader.runs} times, not ${expected}`);

afterEach(forgetRegisteredServices);

describe('single-flight', () => {
  it(
    'runs a missing key once for any number of concurrent callers and gives them all its value',
    async () => {
      await fc.assert(
        fc.asyncProperty(plans('none'), async (plan) => {
          const stampede = join(plan, true);
          stampede.loader.gate.resolve();
          const outcomes = await stampede.outcomes;
          checkRuns(stampede.loader, 1);
          checkStayersServed(plan, outcomes);
          forgetRegisteredServices();
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(2),
  );

  it(
    'still runs the load once and serves every caller that stayed when any of the others abort',
    async () => {
      await fc.assert(
        fc.asyncProperty(plans('some'), fc.boolean(), async (plan, honoursSignal) => {
          // Someone waits on the load from the first join on. A load that every caller has left
          // (even for a moment, before the next one joins) is the next rule's business: the
          // callers after that moment start fresh work.
          fc.pre(staysOccupied(plan));
          const stampede = join(plan, honoursSignal);
          stampede.loader.gate.resolve();
          const outcomes = await stampede.outcomes;
          checkRuns(stampede.loader, 1);
          checkAbortersLeftWithTheirOwnReason(plan, stampede, outcomes);
          checkStayersServed(plan, outcomes);
          forgetRegisteredServices();
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(2),
  );

  it(
    'starts fresh work for a later caller once every caller has left the pending load',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          plans('all'),
          fc.boolean(),
          laterCallerTiming,
          async (plan, honoursSignal, timing) => {
            const stampede = join(plan, honoursSignal);
            const { loader } = stampede;
            // 'same turn': the later caller comes right after the last abort, before the load
            // has had a chance to notice; 'after a flush': once everything that could settle has.
            if (timing === 'after a flush') await flush();
            const runsBefore = loader.runs;
            const later = loader.load('k');
            loader.gate.resolve();
            // Joining the abandoned load would hand the later caller another caller's abort
            // reason (a load that stops on its signal) or a value it did not start (one that
            // cannot stop): either way it must run the method itself, once.
            const got: Outcome = await later.then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            );
            const fresh = `value of run ${runsBefore + 1}`;
            check(
              'value' in got && got.value === fresh,
              () => `the later caller got ${show(got)}, not ${JSON.stringify(fresh)}`,
            );
            checkRuns(loader, runsBefore + 1);
            checkAbortersLeftWithTheirOwnReason(plan, stampede, await stampede.outcomes);
            forgetRegisteredServices();
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(2),
  );
});
