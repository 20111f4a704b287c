/** One entry to load ahead of traffic, keyed exactly like `generateCacheKey`. */
export interface WarmUpOperation {
  funcName: string;
  userId: string;
  taskId: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  /** Produces the value; called with `args` spread. */
  func: (...args: never[]) => unknown;
  /** TTL in ms for this entry. Default: `cacheTtl`. */
  ttl?: number;
}

export interface WarmUpOptions {
  /** Operations loading at the same time. Default 10. */
  concurrency?: number;
  /** Called after each operation, whatever its outcome. */
  onProgress?: (done: number, total: number) => void;
}

export interface WarmUpResult {
  warmed: number;
  skipped: number;
  failed: number;
}

/** What warm-up needs from the cache it fills. */
export interface WarmUpTarget {
  keyOf(op: WarmUpOperation): string;
  has(key: string): boolean;
  set(key: string, value: unknown, ttl?: number): void;
}

/**
 * Loads each operation not already cached, `concurrency` at a time. A failing operation (or one
 * whose arguments cannot be keyed) is counted in `failed` and never rejects the warm-up.
 */
export async function warmUp(
  target: WarmUpTarget,
  ops: readonly WarmUpOperation[],
  concurrency: number,
  onProgress?: (done: number, total: number) => void,
): Promise<WarmUpResult> {
  const result: WarmUpResult = { warmed: 0, skipped: 0, failed: 0 };
  let next = 0;
  let done = 0;
  // Keys being loaded now: a duplicate operation in the list is skipped, not loaded twice.
  const loading = new Set<string>();
  const runOne = async (op: WarmUpOperation): Promise<keyof WarmUpResult> => {
    const key = target.keyOf(op);
    if (loading.has(key) || target.has(key)) return 'skipped';
    loading.add(key);
    try {
      target.set(key, await op.func(...(op.args as never[])), op.ttl);
    } finally {
      loading.delete(key);
    }
    return 'warmed';
  };
  const worker = async (): Promise<void> => {
    while (next < ops.length) {
      const op = ops[next++];
      try {
        result[await runOne(op)]++;
      } catch {
        result.failed++;
      }
      done++;
      onProgress?.(done, ops.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ops.length) }, worker));
  return result;
}
