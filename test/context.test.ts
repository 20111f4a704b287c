import { currentSignal, getExecutionContext, runWithContext } from '../src';

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
