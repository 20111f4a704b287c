import { ManualClock } from '../../src';

describe('ManualClock', () => {
  it('starts at 1_000_000 by default', () => {
    expect(new ManualClock().now()).toBe(1_000_000);
  });

  it('starts at the time it is given', () => {
    expect(new ManualClock(5).now()).toBe(5);
  });

  it('does not move without advance()', () => {
    const clock = new ManualClock();
    clock.setTimer(() => undefined, 0);
    expect(clock.now()).toBe(1_000_000);
  });

  it('advance(ms) moves now() forward by exactly ms', async () => {
    const clock = new ManualClock();
    await clock.advance(250);
    expect(clock.now()).toBe(1_000_250);
    await clock.advance(0);
    expect(clock.now()).toBe(1_000_250);
  });

  it('fires due timers in time order, whatever order they were set in', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(() => fired.push('c'), 30);
    clock.setTimer(() => fired.push('a'), 10);
    clock.setTimer(() => fired.push('b'), 20);
    await clock.advance(30);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('fires timers due at the same time in the order they were set', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    for (const n of [1, 2, 3]) clock.setTimer(() => fired.push(n), 10);
    await clock.advance(10);
    expect(fired).toEqual([1, 2, 3]);
  });

  it('fires a timer due exactly at the end of the advance', async () => {
    const clock = new ManualClock();
    let fired = 0;
    clock.setTimer(() => fired++, 100);
    await clock.advance(100);
    expect(fired).toBe(1);
  });

  it('does not fire timers due after the advance, and fires them on a later advance', async () => {
    const clock = new ManualClock();
    let fired = 0;
    clock.setTimer(() => fired++, 101);
    await clock.advance(100);
    expect(fired).toBe(0);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1);
    expect(fired).toBe(1);
  });

  it('shows each timer callback the time it was due at', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    clock.setTimer(() => seen.push(clock.now()), 10);
    clock.setTimer(() => seen.push(clock.now()), 25);
    await clock.advance(100);
    expect(seen).toEqual([1_000_010, 1_000_025]);
    expect(clock.now()).toBe(1_000_100);
  });

  it('fires a timer with a negative delay on the next advance, as if it were 0', async () => {
    const clock = new ManualClock();
    let fired = 0;
    clock.setTimer(() => fired++, -50);
    await clock.advance(0);
    expect(fired).toBe(1);
  });

  it('clearTimer cancels a pending timer', async () => {
    const clock = new ManualClock();
    let fired = 0;
    const handle = clock.setTimer(() => fired++, 10);
    clock.clearTimer(handle);
    await clock.advance(20);
    expect(fired).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('clearTimer on a timer that already fired is a no-op', async () => {
    const clock = new ManualClock();
    const handle = clock.setTimer(() => undefined, 10);
    clock.setTimer(() => undefined, 50);
    await clock.advance(10);
    clock.clearTimer(handle);
    expect(clock.pendingTimers).toBe(1);
  });

  it('pendingTimers counts timers set and not yet fired or cleared', async () => {
    const clock = new ManualClock();
    expect(clock.pendingTimers).toBe(0);
    const a = clock.setTimer(() => undefined, 10);
    clock.setTimer(() => undefined, 20);
    clock.setTimer(() => undefined, 30);
    expect(clock.pendingTimers).toBe(3);
    clock.clearTimer(a);
    expect(clock.pendingTimers).toBe(2);
    await clock.advance(20);
    expect(clock.pendingTimers).toBe(1);
  });

  it('fires in the same advance a timer set by a timer callback when it falls in the window', async () => {
    const clock = new ManualClock();
    const fired: Array<[string, number]> = [];
    clock.setTimer(() => {
      fired.push(['outer', clock.now()]);
      clock.setTimer(() => fired.push(['inner', clock.now()]), 30);
    }, 10);
    await clock.advance(50);
    expect(fired).toEqual([
      ['outer', 1_000_010],
      ['inner', 1_000_040],
    ]);
  });

  it('does not fire in this advance a timer set by a callback that falls past the window', async () => {
    const clock = new ManualClock();
    let inner = 0;
    clock.setTimer(() => {
      clock.setTimer(() => inner++, 60);
    }, 10);
    await clock.advance(50);
    expect(inner).toBe(0);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(20);
    expect(inner).toBe(1);
  });

  it('lets promise callbacks a timer starts set timers that fire in the same advance', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimer(() => {
      void Promise.resolve().then(() => {
        clock.setTimer(() => fired.push(clock.now()), 5);
      });
    }, 10);
    await clock.advance(20);
    expect(fired).toEqual([1_000_015]);
  });

  it('runs promise callbacks queued before the advance before firing timers', async () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimer(() => order.push('timer'), 0);
    void Promise.resolve().then(() => order.push('microtask'));
    await clock.advance(0);
    expect(order).toEqual(['microtask', 'timer']);
  });
});
