import { getEventListeners } from 'node:events';
import { Cached, currentSignal, runWithContext, Timeout } from '../../src';
import { deferred, rig } from '../helpers';

class Loader {
  runs = 0;
  gate = deferred<string>();
  signals: (AbortSignal | undefined)[] = [];

  @Cached()
  async load(_id: string): Promise<string> {
    this.runs++;
    this.signals.push(currentSignal());
    return this.gate.promise;
  }
}

class Outer {
  constructor(readonly loader: Loader) {}

  @Timeout(100)
  async viaLoader(): Promise<string> {
    return this.loader.load('nested');
  }
}

const withSignal = <T>(signal: AbortSignal, fn: () => T): T => runWithContext({ signal }, fn);
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('single-flight and cancellation', () => {
  it('rejects only the caller that aborted; the others still get the shared result', async () => {
    rig();
    const loader = new Loader();
    const leader = new AbortController();
    const first = withSignal(leader.signal, () => loader.load('k'));
    const second = loader.load('k');
    leader.abort(new Error('leader left'));
    await expect(first).rejects.toThrow('leader left');
    loader.gate.resolve('shared');
    expect(await second).toBe('shared');
    expect(loader.runs).toBe(1);
    expect(loader.signals[0]?.aborted).toBe(false);
  });

  it('lets a joining caller leave at once without disturbing the first', async () => {
    rig();
    const loader = new Loader();
    const first = loader.load('k');
    const joiner = new AbortController();
    const second = withSignal(joiner.signal, () => loader.load('k'));
    joiner.abort(new Error('joiner left'));
    await expect(second).rejects.toThrow('joiner left');
    loader.gate.resolve('v');
    expect(await first).toBe('v');
  });

  it("aborts the shared work's signal once every caller has left", async () => {
    rig();
    const loader = new Loader();
    const a = new AbortController();
    const b = new AbortController();
    const first = withSignal(a.signal, () => loader.load('k'));
    const second = withSignal(b.signal, () => loader.load('k'));
    a.abort(new Error('a left'));
    await expect(first).rejects.toThrow('a left');
    expect(loader.signals[0]?.aborted).toBe(false);
    b.abort(new Error('b left'));
    await expect(second).rejects.toThrow('b left');
    expect(loader.signals[0]?.aborted).toBe(true);
    expect((loader.signals[0]?.reason as Error).message).toBe('b left');
  });

  it('caches the result of a load every caller left, for the next caller', async () => {
    const { utils } = rig();
    const loader = new Loader();
    const a = new AbortController();
    const first = withSignal(a.signal, () => loader.load('k'));
    a.abort(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    loader.gate.resolve('late but good');
    await flush();
    expect(await loader.load('k')).toBe('late but good');
    expect(utils.getStats().sets).toBe(1);
  });

  it('rejects a caller whose signal is already aborted without starting the load twice', async () => {
    rig();
    const loader = new Loader();
    const first = loader.load('k');
    const aborted = AbortSignal.abort(new Error('too late'));
    await expect(withSignal(aborted, () => loader.load('k'))).rejects.toThrow('too late');
    loader.gate.resolve('v');
    expect(await first).toBe('v');
    expect(loader.runs).toBe(1);
  });

  it("aborts a nested cached load's signal when the outer call times out", async () => {
    const { clock } = rig();
    const loader = new Loader();
    const outer = new Outer(loader);
    const call = outer.viaLoader();
    const outcome = expect(call).rejects.toThrow('timed out');
    await clock.advance(100);
    await outcome;
    expect(loader.signals[0]?.aborted).toBe(true);
    expect(loader.signals[0]?.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it("leaves no listener on a caller's signal once the load settles", async () => {
    rig();
    const loader = new Loader();
    const controller = new AbortController();
    const calls = [1, 2, 3].map(() => withSignal(controller.signal, () => loader.load('k')));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(3);
    loader.gate.resolve('v');
    await Promise.all(calls);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('starts fresh work for a caller who arrives after every caller of a flight has left', async () => {
    rig();
    const loader = new Loader();
    const a = new AbortController();
    const first = withSignal(a.signal, () => loader.load('k'));
    a.abort(new Error('a left'));
    await expect(first).rejects.toThrow('a left');
    const abandonedGate = loader.gate;
    loader.gate = deferred<string>();
    // The abandoned work has not settled yet: the newcomer must not inherit its abort.
    const second = loader.load('k');
    expect(loader.runs).toBe(2);
    expect(loader.signals[1]).toBeUndefined();
    loader.gate.resolve('fresh');
    expect(await second).toBe('fresh');
    abandonedGate.reject(new Error('aborted work failing late'));
    await flush();
    expect(await loader.load('k')).toBe('fresh');
  });

  it("does not hand a newcomer the abandoned flight's failure", async () => {
    rig();
    const loader = new Loader();
    const a = new AbortController();
    const first = withSignal(a.signal, () => loader.load('k'));
    a.abort(new Error('a left'));
    await expect(first).rejects.toThrow('a left');
    const abandonedGate = loader.gate;
    loader.gate = deferred<string>();
    const second = loader.load('k');
    abandonedGate.reject(new Error('transient failure of the abandoned work'));
    loader.gate.resolve('ok');
    await expect(second).resolves.toBe('ok');
  });
});
