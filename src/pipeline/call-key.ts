import { cacheKeyBuilder } from '../cache/cache-key';
import { currentContextFields, type ExecutionContext } from '../context';
import type { CachedOptions, TenantMode } from '../cache/cached-options';

/** What a throwing `key` function stands for: a symbol, which no cache key can encode. */
const UNKEYABLE = Symbol('execution-utils.unkeyable');

/**
 * The cache key of a decorated call: operation, tenant (from the execution context, unless the
 * operation is shared) and arguments, or the user's `key(args, ctx)` in place of the arguments.
 * A built key always starts with `"` or `#`, so it is never mistaken for the reasons a call has
 * none (`'no-tenant'`, `'unkeyable'`: see `UncachedReason`).
 */
export class CallKeys {
  /** The tenant of the key `of` built last: read by the load that follows it, before any await. */
  tenant = '';
  private readonly build: ReturnType<typeof cacheKeyBuilder>;

  constructor(
    operation: string,
    private readonly mode: TenantMode,
    private readonly keyFn: CachedOptions['key'],
  ) {
    this.build = cacheKeyBuilder(operation);
  }

  /** The key of a call with `args`, or the reason it has none. */
  of(args: unknown[]): string {
    let userId = '';
    let taskId = '';
    let ctx: ExecutionContext | undefined;
    if (this.mode !== 'shared' || this.keyFn) ctx = currentContextFields();
    if (this.mode !== 'shared') {
      userId = ctx?.userId ?? '';
      taskId = ctx?.taskId ?? '';
      if (this.mode === 'required' && !userId) return 'no-tenant';
    }
    this.tenant = userId;
    const keyed = this.keyFn ? [this.keyOfCall(args, ctx)] : args;
    return this.build(userId, taskId, keyed) ?? 'unkeyable';
  }

  /** The user's `key` function; one that throws makes the call unkeyable (it runs uncached). */
  private keyOfCall(args: unknown[], ctx: ExecutionContext | undefined): unknown {
    try {
      return this.keyFn!(args, ctx ?? {});
    } catch {
      return UNKEYABLE;
    }
  }
}
