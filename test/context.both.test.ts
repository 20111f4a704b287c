import { currentSignal, getExecutionContext, runWithContext, Timeout } from '../src';
import { deferred, rig } from './helpers';

describe('execution context', () => {
  it('is undefined outside runWithContext', () => {
    expect(getExecutionContext()).toBeUndefined();
    expect(currentSignal()).toBeUndefined();
  });

  it('carries userId, taskId and custom fields across awaits', async () => {
    const seen = await runWithContext({ userId: 'u', taskId: 't', region: 'eu' }, async () => {
      await Promise.resolve();
      return getExecutionContext();
    });
    expect(seen).toEqual({ userId: 'u', taskId: 't', region: 'eu' });
  });

  it('lets a nested context inherit the fields it does not set', () => {
    const seen = runWithContext({ userId: 'u', taskId: 't' }, () =>
      runWithContext({ taskId: 'inner' }, () => getExecutionContext()),
    );
    expect(seen).toMatchObject({ userId: 'u', taskId: 'inner' });
  });

  it('keeps the outer signal when the inner context sets none', () => {
    const outer = new AbortController();
    const seen = runWithContext({ signal: outer.signal }, () =>
      runWithContext({ userId: 'u' }, () => currentSignal()),
    );
    expect(seen).toBe(outer.signal);
  });

  it('combines an inner signal with the outer one: either aborting aborts the inner work', () => {
    const outer = new AbortController();
    const inner = new AbortController();
    const combined = runWithContext({ signal: outer.signal }, () =>
      runWithContext({ signal: inner.signal }, () => currentSignal()),
    )!;
    expect(combined.aborted).toBe(false);
    outer.abort(new Error('outer'));
    expect(combined.aborted).toBe(true);
    expect((combined.reason as Error).message).toBe('outer');
  });

  it('aborts the combined signal when only the inner one aborts', () => {
    const outer = new AbortController();
    const inner = new AbortController();
    const combined = runWithContext({ signal: outer.signal }, () =>
      runWithContext({ signal: inner.signal }, () => currentSignal()),
    )!;
    inner.abort(new Error('inner'));
    expect(combined.aborted).toBe(true);
    expect(outer.signal.aborted).toBe(false);
  });
});

describe('the signal of a timed attempt', () => {
  class Timed {
    gate = deferred<void>();
    seen: { signal?: AbortSignal; ctxSignal?: AbortSignal; userId?: string } = {};

    @Timeout(100)
    async readLate(): Promise<void> {
      await this.gate.promise;
      this.seen.signal = currentSignal();
      this.seen.ctxSignal = getExecutionContext()?.signal;
      this.seen.userId = getExecutionContext()?.userId;
    }
  }

  it('is already aborted when first read after the timeout fired', async () => {
    const { clock } = rig();
    const timed = new Timed();
    const call = runWithContext({ userId: 'u' }, () => timed.readLate());
    const outcome = expect(call).rejects.toThrow('timed out');
    await clock.advance(100);
    await outcome;
    timed.gate.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(timed.seen.signal?.aborted).toBe(true);
    expect(timed.seen.signal?.reason).toMatchObject({ name: 'TimeoutError', timeoutMs: 100 });
  });

  it('is the signal getExecutionContext() reports inside the attempt, with the caller fields', async () => {
    rig();
    const timed = new Timed();
    timed.gate.resolve();
    await runWithContext({ userId: 'u' }, () => timed.readLate());
    expect(timed.seen.ctxSignal).toBe(timed.seen.signal);
    expect(timed.seen.signal).toBeInstanceOf(AbortSignal);
    expect(timed.seen.userId).toBe('u');
  });

  it('keeps the outer signal for an inner runWithContext that sets signal: undefined', () => {
    const outer = new AbortController();
    const seen = runWithContext({ signal: outer.signal }, () =>
      runWithContext({ userId: 'x', signal: undefined }, () => currentSignal()),
    );
    expect(seen).toBe(outer.signal);
  });
});
