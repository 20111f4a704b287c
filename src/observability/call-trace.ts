import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * The name of the `diagnostics_channel` tracing channel every decorated (and `wrap`ped) call is
 * published on: subscribe to `tracing:execution-utils:call:start` (`end`, `asyncStart`,
 * `asyncEnd`, `error`), or to all five with `diagnostics_channel.tracingChannel(name)`.
 *
 * @example
 * diagnosticsChannel.subscribe(`tracing:${CALL_CHANNEL_NAME}:error`, (message) => {
 *   const { operation, error } = message as CallTraceContext;
 *   report(operation, error);
 * });
 */
export const CALL_CHANNEL_NAME = 'execution-utils:call';

/**
 * What the cache did for a call: served it (`'hit'`), served an expired entry (`'stale'`: while
 * revalidating, or instead of an error), found nothing and ran it (`'miss'`), joined a load
 * already in flight (`'coalesced'`), ran it without the cache (`'uncached'`: arguments that
 * cannot be keyed, or no tenant where one is required), or has no cache at all (`'none'`).
 */
export type CacheOutcome = 'hit' | 'miss' | 'coalesced' | 'uncached' | 'stale' | 'none';

/**
 * The context object of one call on the {@link CALL_CHANNEL_NAME} tracing channel, filled in as
 * the call proceeds. It never holds a tenant id or an argument; the channel itself adds `result`
 * (the call's value) or `error` (what it threw or rejected with).
 *
 * @example
 * import diagnosticsChannel from 'node:diagnostics_channel';
 * diagnosticsChannel.tracingChannel<unknown, CallTraceContext>('execution-utils:call').subscribe({
 *   start() {}, end() {}, asyncStart() {}, error() {},
 *   asyncEnd: ({ operation, cache, attempts }) => console.log(operation, cache, attempts),
 * });
 */
export interface CallTraceContext {
  /** The operation: `Class.method`, a `@Cached` name or a `wrap` name. */
  readonly operation: string;
  /** What the cache did; `'none'` until the cache stage decides, and for uncached operations. */
  cache: CacheOutcome;
  /**
   * Attempts this call ran itself (retries included): 0 for a hit, a coalesced or stale call
   * (the load belongs to the call that started it) and a call a full bulkhead refused.
   */
  attempts: number;
  /** Set by the channel: what the call threw or rejected with. */
  error?: unknown;
  /** Set by the channel: what the call returned (its promise, then the value it resolved to). */
  result?: unknown;
}

/** The process-wide tracing channel of calls; `hasSubscribers` is read before any work. */
export const callChannel = diagnosticsChannel.tracingChannel<unknown, CallTraceContext>(
  CALL_CHANNEL_NAME,
);

/**
 * Makes a call's trace context: only ever called while someone traces (a channel subscriber or
 * OpenTelemetry), which the tests check by spying on it.
 */
export const callTraces = {
  create(operation: string): CallTraceContext {
    return { operation, cache: 'none', attempts: 0 };
  },
};

/**
 * The traced call the current async work belongs to. Attempts run after awaits (a queued
 * bulkhead, a retry wait), so the call's context travels with the async context rather than in
 * a variable. Its own store, not the execution context's frame, so that tracing never changes
 * what `getExecutionContext()` returns; it is only entered while tracing, so until then it costs
 * nothing.
 */
const traces = new AsyncLocalStorage<CallTraceContext>();

/** Calls `fn(thisArg, args)` as part of the traced call `trace`. */
export function runInCallTrace<R>(
  trace: CallTraceContext,
  fn: (thisArg: unknown, args: unknown[]) => R,
  thisArg: unknown,
  args: unknown[],
): R {
  return traces.run(trace, fn, thisArg, args);
}

/** The traced call the current work belongs to, if any. */
export function currentCallTrace(): CallTraceContext | undefined {
  return traces.getStore();
}
