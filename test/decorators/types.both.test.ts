/**
 * Compile-time contract of the decorators. `npm test` type-checks this file first
 * (`npm run typecheck`): each `@ts-expect-error` fails the build if the line below it compiles.
 */
import { Cached, Retry, Timeout } from '../../src';
import { rig } from '../helpers';

class Typed {
  // @ts-expect-error @Retry needs a method that returns a Promise
  @Retry()
  syncRetry(): number {
    return 1;
  }

  // @ts-expect-error @Timeout needs a method that returns a Promise
  @Timeout(100)
  syncTimeout(): string {
    return 'x';
  }

  @Cached()
  syncCached(a: number, b: string): `${number}-${string}` {
    return `${a}-${b}`;
  }

  @Cached()
  @Retry()
  @Timeout(100)
  async stacked(id: string, opts?: { deep: boolean }): Promise<{ id: string; deep: boolean }> {
    return { id, deep: opts?.deep ?? false };
  }
}

describe('decorator types', () => {
  it('keeps the exact signature of a decorated method', async () => {
    rig();
    const t = new Typed();
    const sync: `${number}-${string}` = t.syncCached(1, 'b');
    const stacked: { id: string; deep: boolean } = await t.stacked('a', { deep: true });
    // @ts-expect-error the argument types are kept
    expect(() => t.syncCached('1', 'b')).not.toThrow();
    expect(sync).toBe('1-b');
    expect(stacked).toEqual({ id: 'a', deep: true });
  });

  it('rejects a sync method under @Retry at run time too (the pipeline is async)', async () => {
    rig();
    const result = new Typed().syncRetry() as unknown;
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(1);
  });
});
