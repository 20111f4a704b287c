import { runWithContext } from '../../src';
import { CallKeys } from '../../src/pipeline/call-key';

const asUser = <T>(userId: string, fn: () => T, taskId?: string): T =>
  runWithContext({ userId, taskId }, fn);

describe('CallKeys', () => {
  it('builds the same key for the same arguments and another for different ones', () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    expect(keys.of([1, 'a'])).toBe(keys.of([1, 'a']));
    expect(keys.of([1, 'a'])).not.toBe(keys.of([1, 'b']));
  });

  it('builds a different key for another operation with the same arguments', () => {
    const a = new CallKeys('Svc.a', 'optional', undefined);
    const b = new CallKeys('Svc.b', 'optional', undefined);
    expect(a.of([1])).not.toBe(b.of([1]));
  });

  it('starts every built key with a quote or a hash, so it never reads as a reason', () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    const long = 'x'.repeat(10_000);
    for (const key of [keys.of([]), keys.of([1]), keys.of([long])]) {
      expect(key[0] === '"' || key[0] === '#').toBe(true);
    }
  });

  it('keys the same arguments apart for two tenants in optional mode', () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    expect(asUser('u1', () => keys.of([1]))).not.toBe(asUser('u2', () => keys.of([1])));
  });

  it('keys the same user apart for two tasks', () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    const t1 = asUser('u1', () => keys.of([1]), 't1');
    const t2 = asUser('u1', () => keys.of([1]), 't2');
    expect(t1).not.toBe(t2);
  });

  it('keys a call outside any context in optional mode', () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    expect(keys.of([1])).not.toBe('no-tenant');
  });

  it("answers 'no-tenant' in required mode when the context has no userId", () => {
    const keys = new CallKeys('Svc.op', 'required', undefined);
    expect(keys.of([1])).toBe('no-tenant');
    expect(runWithContext({ taskId: 't1' }, () => keys.of([1]))).toBe('no-tenant');
  });

  it('keys a call in required mode when the context has a userId', () => {
    const keys = new CallKeys('Svc.op', 'required', undefined);
    const key = asUser('u1', () => keys.of([1]));
    expect(key).not.toBe('no-tenant');
    expect(key).toBe(asUser('u1', () => keys.of([1])));
  });

  it('gives every tenant the same key in shared mode, with an empty tenant', () => {
    const keys = new CallKeys('Svc.op', 'shared', undefined);
    const first = asUser('u1', () => keys.of([1]));
    expect(keys.tenant).toBe('');
    expect(asUser('u2', () => keys.of([1]))).toBe(first);
    expect(keys.of([1])).toBe(first);
  });

  it('remembers the tenant of the key it built last', () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    asUser('u1', () => keys.of([1]));
    expect(keys.tenant).toBe('u1');
    keys.of([1]);
    expect(keys.tenant).toBe('');
  });

  it("answers 'unkeyable' for arguments the key cannot encode", () => {
    const keys = new CallKeys('Svc.op', 'optional', undefined);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(keys.of([circular])).toBe('unkeyable');
    expect(keys.of([() => 1])).toBe('unkeyable');
  });

  it('keys by what the key function returns instead of the arguments', () => {
    const keys = new CallKeys('Svc.op', 'optional', (args) => (args[0] as { id: number }).id);
    expect(keys.of([{ id: 1, noise: 'a' }])).toBe(keys.of([{ id: 1, noise: 'b' }]));
    expect(keys.of([{ id: 1 }])).not.toBe(keys.of([{ id: 2 }]));
  });

  it('keeps tenants apart even when the key function ignores them', () => {
    const keys = new CallKeys('Svc.op', 'optional', () => 'same');
    expect(asUser('u1', () => keys.of([]))).not.toBe(asUser('u2', () => keys.of([])));
  });

  it('passes the key function the arguments and the execution context', () => {
    const seen: unknown[] = [];
    const keys = new CallKeys('Svc.op', 'shared', (args, ctx) => {
      seen.push(args, ctx.userId);
      return 0;
    });
    asUser('u1', () => keys.of(['a']));
    expect(seen).toEqual([['a'], 'u1']);
  });

  it('gives the key function an empty context outside runWithContext', () => {
    let seen: unknown;
    const keys = new CallKeys('Svc.op', 'shared', (_args, ctx) => {
      seen = ctx;
      return 0;
    });
    keys.of([]);
    expect(seen).toEqual({});
  });

  it("answers 'unkeyable' when the key function throws", () => {
    const keys = new CallKeys('Svc.op', 'optional', () => {
      throw new Error('key bug');
    });
    expect(keys.of([1])).toBe('unkeyable');
  });
});
