import type { ServiceCache } from '../cache/service-cache';
import { Flight } from '../cache/single-flight';
import type { Clock } from '../clock';
import { runDetached } from '../context';
import type { Probe } from '../observability/probe';
import { readBatchResult, shapeOf, type BatchShape } from './batch-result';
import type { CacheWrite } from './cache-write';
import type { Stage } from './stage';

/** One id waiting in a batch, and how to settle the flight its callers join. */
interface Item {
  readonly id: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface BatchCollectorConfig {
  readonly operation: string;
  readonly cache: ServiceCache;
  readonly write: CacheWrite;
  readonly probe: Probe;
  readonly clock: Clock;
  readonly maxBatchSize: number;
  /** 0: flush at the end of the current turn; else after this many ms. */
  readonly batchWindow: number;
  readonly cacheMissing: boolean;
  readonly tagged: boolean;
  /** Told the shape of every result, so an empty or all-hit call can answer in it. */
  readonly onShape: (shape: BatchShape) => void;
  /** Errors that stand for one item's failure (a result position holding an Error). */
  readonly itemErrors: WeakSet<object>;
}

/**
 * The ids of one batch being collected: the misses of one operation, tenant and rest arguments
 * made before it flushes. Each id is a flight in the service's single-flight, registered at
 * once, so a concurrent caller of the same id (batched, or a single `@Cached` call of the same
 * name) joins it instead of loading it again. At flush the ids go to the method in chunks of
 * `maxBatchSize`, each call detached from every caller's signal (one caller leaving must not
 * cancel ids others wait for), and each item settles its flight, which caches it.
 */
export class PendingBatch {
  private readonly items: Item[] = [];
  private readonly stamp: number;

  constructor(
    private readonly config: BatchCollectorConfig,
    private readonly next: Stage,
    private readonly thisArg: unknown,
    private readonly rest: unknown[],
    private readonly tenant: string,
    onFlush: () => void,
  ) {
    this.stamp = config.cache.log.stamp();
    const flush = (): void => {
      onFlush();
      this.flush();
    };
    if (config.batchWindow > 0) config.clock.setTimer(flush, config.batchWindow);
    else queueMicrotask(flush);
  }

  /** Adds `id` (keyed `key`), and returns the flight its callers join. */
  add(id: unknown, key: string): Flight<unknown> {
    const { operation, cache, tagged } = this.config;
    const flight = new Flight<unknown>(false, operation, this.tenant, tagged, this.stamp, [
      id,
      ...this.rest,
    ]);
    const settled = new Promise<unknown>((resolve, reject) =>
      this.items.push({ id, resolve, reject }),
    );
    cache.flights.track(key, flight, settled, this.save);
    return flight;
  }

  private readonly save = (key: string, value: unknown, flight: Flight<unknown>): void => {
    if (value === undefined && !this.config.cacheMissing) return;
    void this.config.write(key, value, flight.stamp, flight.tenant, flight.args);
  };

  private flush(): void {
    const { maxBatchSize } = this.config;
    for (let from = 0; from < this.items.length; from += maxBatchSize) {
      this.call(this.items.slice(from, from + maxBatchSize));
    }
  }

  private call(chunk: Item[]): void {
    const { operation, probe, onShape, itemErrors } = this.config;
    const ids = chunk.map((item) => item.id);
    probe.batch(ids.length);
    let result: unknown;
    try {
      result = runDetached(this.next, this.thisArg, [ids, ...this.rest]);
    } catch (error) {
      result = Promise.reject(error);
    }
    Promise.resolve(result).then(
      (value) => {
        const items = readBatchResult(operation, ids, value);
        if (!items.ok) return chunk.forEach((item) => item.reject(items.error));
        onShape(shapeOf(value)!);
        chunk.forEach((item, index) => {
          const found = items.item(index);
          if (found instanceof Error) {
            itemErrors.add(found);
            item.reject(found);
          } else item.resolve(found);
        });
      },
      (error: unknown) => chunk.forEach((item) => item.reject(error)),
    );
  }
}
