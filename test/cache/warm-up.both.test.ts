import { warmUp, type WarmUpOperation, type WarmUpTarget } from '../../src/cache/warm-up';
import { deferred } from '../helpers';

/** A target over a Map, keyed by the operation's first argument. */
function target(cached: string[] = []) {
  const entries = new Map<string, { value: unknown; ttl?: number }>(
    cached.map((k) => [k, { value: 'cached' }]),
  );
  const t: WarmUpTarget = {
    keyOf: (op) => String(op.args[0]),
    has: (key) => entries.has(key),
    set: (key, value, ttl) => void entries.set(key, { value, ttl }),
  };
  return { t, entries };
}

const op = (id: string, func: WarmUpOperation['func'], ttl?: number): WarmUpOperation => ({
  funcName: 'Repo.get',
  userId: 'u',
  taskId: 't',
  args: [id],
  func,
  ttl,
});

describe('warmUp', () => {
  it('loads each operation not cached yet with its arguments, with its ttl', async () => {
    const { t, entries } = target();
    const result = await warmUp(t, [op('a', (id: string) => `v-${id}`, 500)], 2);
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 0 });
    expect(entries.get('a')).toEqual({ value: 'v-a', ttl: 500 });
  });

  it('skips what is cached, and a duplicate of a key being loaded', async () => {
    const { t } = target(['a']);
    const load = jest.fn(async () => 'v');
    const result = await warmUp(t, [op('a', load), op('b', load), op('b', load)], 2);
    expect(result).toEqual({ warmed: 1, skipped: 2, failed: 0 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('counts a failing operation and goes on with the rest', async () => {
    const { t } = target();
    const result = await warmUp(
      t,
      [op('a', () => Promise.reject(new Error('down'))), op('b', () => 'v')],
      1,
    );
    expect(result).toEqual({ warmed: 1, skipped: 0, failed: 1 });
  });

  it('counts an operation whose key cannot be built as failed', async () => {
    const t: WarmUpTarget = {
      keyOf: () => {
        throw new Error('unkeyable');
      },
      has: () => false,
      set: () => {},
    };
    await expect(warmUp(t, [op('a', () => 'v')], 1)).resolves.toEqual({
      warmed: 0,
      skipped: 0,
      failed: 1,
    });
  });

  it('runs at most `concurrency` loads at a time', async () => {
    const { t } = target();
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    let running = 0;
    let most = 0;
    const ops = gates.map((gate, i) =>
      op(String(i), async () => {
        most = Math.max(most, ++running);
        const value = await gate.promise;
        running--;
        return value;
      }),
    );
    const done = warmUp(t, ops, 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    gates.forEach((gate) => gate.resolve('v'));
    await done;
    expect(most).toBe(2);
  });

  it('reports progress after each operation, whatever its outcome', async () => {
    const { t } = target(['a']);
    const progress: [number, number][] = [];
    await warmUp(
      t,
      [op('a', () => 'v'), op('b', () => Promise.reject(new Error('x'))), op('c', () => 'v')],
      1,
      (done, total) => progress.push([done, total]),
    );
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('resolves with zeros for no operations', async () => {
    await expect(warmUp(target().t, [], 4)).resolves.toEqual({ warmed: 0, skipped: 0, failed: 0 });
  });
});
