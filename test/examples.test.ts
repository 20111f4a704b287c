import { main as flakyApi } from '../examples/flaky-api';
import { main as multiTenant } from '../examples/multi-tenant';
import { main as quickStart } from '../examples/quick-start';
import { main as retryStorm } from '../examples/retry-storm';
import { main as timeouts } from '../examples/timeouts-with-abort-signal';

// The examples run on real time (a few hundred ms in all); these keep what they print true.
const run = async (main: (log: (line: string) => void) => Promise<void>): Promise<string> => {
  const lines: string[] = [];
  await main((line) => lines.push(line));
  return lines.join('\n');
};

// The retry storm moves a manual clock 3,000 times (a macrotask each): slow under coverage.
jest.setTimeout(30_000);

describe('examples', () => {
  it('quick start: retries once, serves the second call from cache, times out the slow report', async () => {
    const out = await run(quickStart);
    expect(out).toContain('retried 1 time(s)');
    expect(out).toMatch(/alice, 2nd call : Paris: sunny, 21°C \(fetch #2\)/);
    expect(out).toMatch(/bob, {3}1st call : Paris: sunny, 21°C \(fetch #3\)/);
    expect(out).toContain('slowReport      : TimeoutError');
    expect(out).toContain('hits=1 misses=2 sets=2 retries=1 timeouts=1');
  });

  it('multi-tenant: each tenant gets its own entry, shared data loads once', async () => {
    const out = await run(multiTenant);
    expect(out).toContain(
      "alice -> alice's account main: 100 EUR\nbob   -> bob's account main: 200 EUR\nalice -> alice's account main: 100 EUR",
    );
    expect(out).toContain('loads=4 hits=2 misses=3 uncached=1');
  });

  it('flaky API: retries 5xx, not 404, and honours the operation profile', async () => {
    const out = await run(flakyApi);
    expect(out).toContain('getUser -> user 42 after 3 calls');
    expect(out).toContain('HTTP 404 after 1 call');
    expect(out).toContain('HTTP 500 after 2 calls');
  });

  it('timeouts: the slow call times out, the caller can cancel, the deadline bounds retries', async () => {
    const out = await run(timeouts);
    expect(out).toContain('slow : TimeoutError');
    expect(out).toContain('cancel: user pressed cancel');
    expect(out).toContain('work aborted by its signal: 2 time(s)');
    const deadline =
      /deadline: TimeoutError after (\d) attempts \((\d) failed, (\d) aborted\), cause: Error: attempt (\d) failed/.exec(
        out,
      );
    expect(deadline).not.toBeNull();
    const [attempts, failed, aborted, cause] = deadline!.slice(1).map(Number);
    // The cause is the last attempt that failed before the deadline, not the one it aborted.
    expect(cause).toBe(failed);
    expect(failed + aborted).toBe(attempts);
  });

  it('retry storm: the budget caps the extra load, the breaker stops calling a dead dependency', async () => {
    const out = await run(retryStorm);
    const calls = (label: string): number =>
      Number(new RegExp(`${label.replace(/[+()%]/g, '\\$&')}\\s+(\\d+) calls`).exec(out)?.[1]);
    expect(calls('retry only')).toBe(3000);
    expect(calls('retry + budget (10 %)')).toBeLessThanOrEqual(1.1 * 1000 + 5 * 11);
    expect(calls('retry + budget + breaker')).toBeLessThan(50);
  });
});
