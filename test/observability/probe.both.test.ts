import { callTraces, runInCallTrace } from '../../src/observability/call-trace';
import {
  EventBus,
  type ExecutionEventName,
  type ExecutionEvents,
} from '../../src/observability/events';
import { Probe } from '../../src/observability/probe';
import { newCounters, type Counters } from '../../src/observability/stats';
import { ManualClock } from '../../src/testing/manual-clock';

function setup() {
  const own = newCounters();
  const total = newCounters();
  const bus = new EventBus();
  const probe = new Probe('Repo.get', new ManualClock(), own, total, bus);
  const listen = <E extends ExecutionEventName>(event: E): ExecutionEvents[E][] => {
    const seen: ExecutionEvents[E][] = [];
    bus.on(event, (payload) => seen.push(payload));
    return seen;
  };
  return { probe, own, total, bus, listen };
}

/** Each report with the counter it bumps and the event it emits. */
const simple: [string, (p: Probe) => void, keyof Counters, ExecutionEventName][] = [
  ['hit', (p) => p.hit(), 'hits', 'hit'],
  ['miss', (p) => p.miss(), 'misses', 'miss'],
  ['coalesced', (p) => p.coalesced(), 'coalesced', 'coalesced'],
  ['set', (p) => p.set(), 'sets', 'set'],
  ['remoteHit', (p) => p.remoteHit(), 'remoteHits', 'remoteHit'],
  ['remoteMiss', (p) => p.remoteMiss(), 'remoteMisses', 'remoteMiss'],
  ['refused', (p) => p.refused(), 'refused', 'refused'],
  ['budgetExhausted', (p) => p.budgetExhausted(), 'budgetExhausted', 'budgetExhausted'],
];

describe('Probe', () => {
  it.each(simple)(
    '%s bumps its counter for the operation and in total, and emits its event',
    (_name, report, counter, event) => {
      const { probe, own, total, listen } = setup();
      const events = listen(event);
      report(probe);
      expect(own[counter]).toBe(1);
      expect(total[counter]).toBe(1);
      expect(events).toEqual([{ operation: 'Repo.get' }]);
    },
  );

  it('counts while nobody listens, without emitting', () => {
    const { probe, own, bus } = setup();
    const emit = jest.spyOn(bus, 'emit');
    probe.hit();
    probe.miss();
    expect(own).toMatchObject({ hits: 1, misses: 1 });
    expect(emit).not.toHaveBeenCalled();
  });

  it('reports an uncached call with its reason', () => {
    const { probe, own, listen } = setup();
    const events = listen('uncached');
    probe.uncached('no-tenant');
    expect(own.uncached).toBe(1);
    expect(events).toEqual([{ operation: 'Repo.get', reason: 'no-tenant' }]);
  });

  it('counts a stale entry served while revalidating as a stale hit and a hit', () => {
    const { probe, own, listen } = setup();
    const stale = listen('staleServed');
    const hits = listen('hit');
    probe.servedWhileRevalidating();
    expect(own).toMatchObject({ staleHits: 1, hits: 1 });
    expect(hits).toHaveLength(1);
    expect(stale).toEqual([{ operation: 'Repo.get', kind: 'while-revalidate' }]);
  });

  it('counts a stale entry served instead of an error, and marks the traced call stale', () => {
    const { probe, own, listen } = setup();
    const stale = listen('staleServed');
    const trace = callTraces.create('Repo.get');
    runInCallTrace(trace, () => probe.servedIfError(), undefined, []);
    expect(own.staleIfError).toBe(1);
    expect(trace.cache).toBe('stale');
    expect(stale).toEqual([{ operation: 'Repo.get', kind: 'if-error' }]);
  });

  it("leaves another operation's trace alone when it serves stale on error", () => {
    const { probe } = setup();
    const trace = callTraces.create('Other.op');
    runInCallTrace(trace, () => probe.servedIfError(), undefined, []);
    expect(trace.cache).toBe('none');
  });

  it('writes the cache outcome into the call trace it was lent', () => {
    const { probe } = setup();
    const trace = callTraces.create('Repo.get');
    probe.callTrace = trace;
    probe.miss();
    expect(trace.cache).toBe('miss');
    probe.coalesced();
    expect(trace.cache).toBe('coalesced');
    probe.hit();
    expect(trace.cache).toBe('hit');
    probe.uncached('unkeyable');
    expect(trace.cache).toBe('uncached');
    probe.servedWhileRevalidating();
    expect(trace.cache).toBe('stale');
  });

  it('reports a retry with its attempt, the attempts, the delay and the error', () => {
    const { probe, own, listen } = setup();
    const events = listen('retry');
    const error = new Error('x');
    probe.retry(1, 3, 100, error);
    expect(own.retries).toBe(1);
    expect(events).toEqual([
      { operation: 'Repo.get', attempt: 1, attempts: 3, delayMs: 100, error },
    ]);
  });

  it('reports a give-up without counting it', () => {
    const { probe, own, listen } = setup();
    const events = listen('giveUp');
    const error = new Error('x');
    probe.giveUp(3, error);
    expect(events).toEqual([{ operation: 'Repo.get', attempts: 3, error }]);
    expect(Object.values(own).every((n) => n === 0)).toBe(true);
  });

  it('reports a timeout with its scope and limit', () => {
    const { probe, own, listen } = setup();
    const events = listen('timeout');
    probe.timeout('total', 500);
    expect(own.timeouts).toBe(1);
    expect(events).toEqual([{ operation: 'Repo.get', scope: 'total', timeoutMs: 500 }]);
  });

  it('reports breaker and bulkhead rejections with their names', () => {
    const { probe, own, listen } = setup();
    const breaker = listen('breakerRejected');
    const bulkhead = listen('bulkheadRejected');
    probe.breakerRejected('payments');
    probe.bulkheadRejected('db');
    expect(own).toMatchObject({ circuitRejections: 1, bulkheadRejections: 1 });
    expect(breaker).toEqual([{ operation: 'Repo.get', breaker: 'payments' }]);
    expect(bulkhead).toEqual([{ operation: 'Repo.get', bulkhead: 'db' }]);
  });

  it('is timed only while someone listens to executed', () => {
    const { probe, bus } = setup();
    expect(probe.timed).toBe(false);
    const listener = (): void => {};
    bus.on('executed', listener);
    expect(probe.timed).toBe(true);
    bus.off('executed', listener);
    expect(probe.timed).toBe(false);
  });

  it('reports an execution with its duration and outcome', () => {
    const { probe, listen } = setup();
    const events = listen('executed');
    probe.executed(12, false);
    expect(events).toEqual([{ operation: 'Repo.get', durationMs: 12, ok: false }]);
  });
});
