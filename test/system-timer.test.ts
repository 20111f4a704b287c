import { MAX_TIMER_MS, SystemTimer } from '../src/system-timer';

// The keep-alive handle is module state: the real-timer tests run first, before any fake timer
// could leave a fake handle or a fake pending release behind.
describe('SystemTimer keeping the process alive (real timers: what Node itself sees)', () => {
  const refdTimers = (): number =>
    process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('holds one ref however many timers are pending, and lets go once they are cleared', async () => {
    const before = refdTimers();
    const timers = [new SystemTimer(() => {}, 60_000), new SystemTimer(() => {}, 60_000)];
    expect(refdTimers()).toBe(before + 1);
    timers.forEach((t) => t.clear());
    await turn();
    await turn();
    expect(refdTimers()).toBe(before);
  });

  it('lets go after the last timer fires', async () => {
    const before = refdTimers();
    await new Promise<void>((resolve) => new SystemTimer(resolve, 0));
    await turn();
    await turn();
    expect(refdTimers()).toBe(before);
  });
});

describe('SystemTimer on fake timers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('calls back once its delay has passed', () => {
    const fired = jest.fn();
    new SystemTimer(fired, 50);
    jest.advanceTimersByTime(49);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('never calls back once cleared', () => {
    const fired = jest.fn();
    new SystemTimer(fired, 50).clear();
    jest.advanceTimersByTime(100);
    expect(fired).not.toHaveBeenCalled();
  });

  // The fake timers fire a delay past the limit after 1 ms, as Node does.
  it('fires a delay past the timer limit at its time, not early', () => {
    const fired = jest.fn();
    new SystemTimer(fired, MAX_TIMER_MS + 1_000);
    jest.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1_000);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('names the limit Node timers take', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
  });
});
