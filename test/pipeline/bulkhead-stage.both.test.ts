import { BulkheadRejectedError, runWithContext } from '../../src';
import { bulkheadStage } from '../../src/pipeline/bulkhead-stage';
import type { Stage } from '../../src/pipeline/stage';
import { Bulkhead } from '../../src/resilience/bulkhead';
import { deferred } from '../helpers';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A bulkhead of one slot; each call waits on a gate of its own, released by its argument. */
function setup(maxQueue = 1, defaultPriority?: number) {
  const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue });
  const gates = new Map<string, ReturnType<typeof deferred<string>>>();
  const started: string[] = [];
  const next: Stage = (_t, args) => {
    const id = args[0] as string;
    started.push(id);
    const gate = deferred<string>();
    gates.set(id, gate);
    return gate.promise;
  };
  let rejected = 0;
  const stage = bulkheadStage(next, bulkhead, defaultPriority, () => void rejected++);
  const finish = (id: string): void => gates.get(id)!.resolve(id);
  return { stage, bulkhead, started, finish, rejected: () => rejected };
}

describe('bulkheadStage', () => {
  it('holds a slot for the whole call and gives it back when it settles', async () => {
    const { stage, bulkhead, finish } = setup();
    const call = stage(undefined, ['a']);
    await flush();
    expect(bulkhead.running).toBe(1);
    finish('a');
    await expect(call).resolves.toBe('a');
    expect(bulkhead.running).toBe(0);
  });

  it('gives the slot back when the call fails', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1 });
    const stage = bulkheadStage(
      () => Promise.reject(new Error('down')),
      bulkhead,
      undefined,
      () => {},
    );
    await expect(stage(undefined, [])).rejects.toThrow('down');
    expect(bulkhead.running).toBe(0);
  });

  it('queues a call while the slot is busy and runs it once the slot is free', async () => {
    const { stage, started, finish } = setup();
    const first = stage(undefined, ['a']);
    const second = stage(undefined, ['b']);
    await flush();
    expect(started).toEqual(['a']);
    finish('a');
    await first;
    await flush();
    expect(started).toEqual(['a', 'b']);
    finish('b');
    await expect(second).resolves.toBe('b');
  });

  it('rejects a call when the slot and the queue are full, without running it, and reports it', async () => {
    const { stage, started, rejected } = setup(0);
    void stage(undefined, ['a']);
    await expect(stage(undefined, ['b'])).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(started).toEqual(['a']);
    expect(rejected()).toBe(1);
  });

  it('admits the waiter with the higher runWithContext priority first', async () => {
    const { stage, started, finish } = setup(2);
    void stage(undefined, ['a']);
    void runWithContext({ priority: 1 }, () => stage(undefined, ['low']));
    void runWithContext({ priority: 5 }, () => stage(undefined, ['high']));
    await flush();
    finish('a');
    await flush();
    expect(started).toEqual(['a', 'high']);
  });

  it("uses the decorator's priority for a call whose context gives none", async () => {
    const { stage, started, finish } = setup(2, 3);
    void stage(undefined, ['a']);
    void runWithContext({ priority: 1 }, () => stage(undefined, ['context-1']));
    void stage(undefined, ['default-3']);
    await flush();
    finish('a');
    await flush();
    expect(started).toEqual(['a', 'default-3']);
  });

  it('lets a queued caller leave when it aborts, with its reason, not counted as a rejection', async () => {
    const { stage, bulkhead, started, rejected } = setup();
    void stage(undefined, ['a']);
    const controller = new AbortController();
    const queued = runWithContext({ signal: controller.signal }, () => stage(undefined, ['b']));
    await flush();
    expect(bulkhead.queued).toBe(1);
    controller.abort(new Error('caller left'));
    await expect(queued).rejects.toThrow('caller left');
    expect(bulkhead.queued).toBe(0);
    expect(started).toEqual(['a']);
    expect(rejected()).toBe(0);
  });
});
