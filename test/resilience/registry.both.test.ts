import { BulkheadRejectedError } from '../../src';
import { PolicyRegistry } from '../../src/resilience/registry';
import { ManualClock } from '../../src/testing/manual-clock';

const registry = (budget?: { ratio: number }) => {
  const changes: [string, string, string][] = [];
  const r = new PolicyRegistry(new ManualClock(), budget, (name, from, to) =>
    changes.push([name, from, to]),
  );
  return { r, changes };
};

describe('PolicyRegistry', () => {
  it('shares one breaker per name, built with the settings of its first use', () => {
    const { r } = registry();
    const breaker = r.breaker('payments', { consecutiveFailures: 1 });
    expect(r.breaker('payments', { consecutiveFailures: 10 })).toBe(breaker);
    expect(r.breaker('other', {})).not.toBe(breaker);
    breaker.failure(breaker.acquire(), new Error('down'));
    expect(breaker.state).toBe('open');
  });

  it("tells its listener of a breaker's state changes, by name", () => {
    const { r, changes } = registry();
    const breaker = r.breaker('payments', { consecutiveFailures: 1 });
    breaker.failure(breaker.acquire(), new Error('down'));
    expect(changes).toEqual([['payments', 'closed', 'open']]);
  });

  it('reports a breaker no call has used yet as closed', () => {
    expect(registry().r.circuitState('never-used')).toBe('closed');
  });

  it("reports a used breaker's state", () => {
    const { r } = registry();
    r.breaker('payments', {}).isolate();
    expect(r.circuitState('payments')).toBe('open');
  });

  it('shares one bulkhead per name, built with the settings of its first use', async () => {
    const { r } = registry();
    const bulkhead = r.bulkhead('db', { maxConcurrent: 1 });
    expect(r.bulkhead('db', { maxConcurrent: 5 })).toBe(bulkhead);
    expect(typeof bulkhead.acquire()).toBe('function');
    await expect(bulkhead.acquire()).rejects.toBeInstanceOf(BulkheadRejectedError);
  });

  it('lists the breakers and bulkheads used so far', () => {
    const { r } = registry();
    r.breaker('a', {});
    r.bulkhead('b', {});
    expect([...r.listBreakers().keys()]).toEqual(['a']);
    expect([...r.listBulkheads().keys()]).toEqual(['b']);
  });

  it('gives a profile without its own budget the shared one, or none', () => {
    expect(registry().r.retryBudget('p', undefined)).toBeUndefined();
    const { r } = registry({ ratio: 0.1 });
    const shared = r.retryBudget('p', undefined);
    expect(shared).toBeDefined();
    expect(r.retryBudget('q', undefined)).toBe(shared);
  });

  it('gives a profile with its own budget one of its own, kept by profile name', () => {
    const { r } = registry({ ratio: 0.1 });
    const own = r.retryBudget('p', { ratio: 0.5 });
    expect(own).not.toBe(r.retryBudget('q', undefined));
    expect(r.retryBudget('p', { ratio: 0.5 })).toBe(own);
  });

  it('keeps one latency tracker per operation', () => {
    const { r } = registry();
    const tracker = r.latencyTracker('Api.fetch', {}, 5_000);
    expect(r.latencyTracker('Api.fetch', {}, 9_000)).toBe(tracker);
    expect(r.latencyTracker('Api.other', {}, 5_000)).not.toBe(tracker);
  });
});
