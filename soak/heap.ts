import { setImmediate as nextTurn } from 'node:timers/promises';

/** Fails at once, before any load runs, when node was started without `--expose-gc`. */
export function checkGcExposed(): void {
  if (!globalThis.gc) throw new Error('run node with --expose-gc (npm run soak does)');
}

/**
 * Heap used after full collections. Several rounds, a turn of the event loop apart: objects
 * released by finalizers or weak references of one round are collected by the next.
 */
export async function heapUsedAfterGc(): Promise<number> {
  checkGcExposed();
  for (let round = 0; round < 3; round++) {
    globalThis.gc!();
    await nextTurn();
  }
  globalThis.gc!();
  return process.memoryUsage().heapUsed;
}
