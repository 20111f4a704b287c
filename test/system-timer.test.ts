import { MAX_TIMER_MS, SystemTimer } from '../src/system-timer';

// The keep-alive handle is module state: the real-timer tests run first, before any fake timer
// could leave a fake handle or a fake pending release behind.
describe('SystemTimer keeping the process alive (real timers, watched)', () => {
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  // Each test ends with no timer pending: a turn later, the shared handle is gone too.
  afterEach(async () => {
    await turn();
    jest.restoreAllMocks();
  });

  it("sets its own timer unref'd: it does not hold the process by itself", () => {
    const setTimer = jest.spyOn(global, 'setTimeout');
    const timer = new SystemTimer(() => {}, 60_000);
    const handle = setTimer.mock.results[0].value as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    timer.clear();
  });

  it("holds the process with one ref'd handle however many timers are pending", async () => {
    const setHandle = jest.spyOn(global, 'setInterval');
    const timers = [new SystemTimer(() => {}, 60_000), new SystemTimer(() => {}, 60_000)];
    expect(setHandle).toHaveBeenCalledTimes(1);
    expect((setHandle.mock.results[0].value as NodeJS.Timeout).hasRef()).toBe(true);
    timers.forEach((t) => t.clear());
    await turn();
  });

  it('lets the handle go a turn after the last timer is cleared, not before', async () => {
    const clearHandle = jest.spyOn(global, 'clearInterval');
    const first = new SystemTimer(() => {}, 60_000);
    const second = new SystemTimer(() => {}, 60_000);
    first.clear();
    await turn();
    expect(clearHandle).not.toHaveBeenCalled();
    second.clear();
    expect(clearHandle).not.toHaveBeenCalled();
    await turn();
    expect(clearHandle).toHaveBeenCalledTimes(1);
  });

  it('lets the handle go after the last timer fires', async () => {
    const clearHandle = jest.spyOn(global, 'clearInterval');
    await new Promise<void>((resolve) => new SystemTimer(resolve, 0));
    await turn();
    expect(clearHandle).toHaveBeenCalledTimes(1);
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
