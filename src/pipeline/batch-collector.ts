import type { Lease, RemoteTier } from '../cache/remote-tier';
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
  readonly key: string;
  readonly flight: Flight<unknown>;
  /** The shared tier's lease for the key, when this process loads it there. */
  lease?: Lease;
  /** `fromRemote`: the value is another process's, already cached: nothing to write. */
  resolve(value: unknown, fromRemote?: boolean): void;
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
    const settled = new Promise<unknown>((resolve, reject) => {
      const item: Item = {
        id,
        key,
        flight,
        resolve: (value, fromRemote) => {
          if (!fromRemote) this.save(item, value, flight);
          resolve(value);
        },
        reject: (error) => {
          this.letGo(item);
          reject(error);
        },
      };
      this.items.push(item);
    });
    cache.flights.track(key, flight, settled, undefined);
    return flight;
  }

  /** Caches a loaded item here, and in the shared tier through its lease (or lets the lease go). */
  private save(item: Item, value: unknown, flight: Flight<unknown>): void {
    const entry =
      value === undefined && !this.config.cacheMissing
        ? undefined
        : this.config.write(item.key, value, flight.stamp, flight.tenant, flight.args);
    const { remote } = this.config.cache;
    if (!remote || !item.lease) return;
    if (entry) void remote.write(item.key, entry, item.lease);
    else this.letGo(item);
  }

  private letGo(item: Item): void {
    const { lease } = item;
    item.lease = undefined;
    if (lease) void this.config.cache.remote?.release(item.key, lease);
  }

  private flush(): void {
    const { remote } = this.config.cache;
    if (remote) {
      this.throughRemote(remote).catch((error: unknown) =>
        this.items.forEach((item) => item.reject(error)),
      );
    } else this.callInChunks(this.items);
  }

  /**
   * The shared tier first: every item's claim (sent together, one round trip), then the method
   * for the items this process got the lock of. An item another process holds the lock for is
   * waited for as a single `@Cached` call waits (its value, or the lock after `lock.wait`), so
   * the batch calls the method once those waits are over, for what is still missing.
   */
  private async throughRemote(remote: RemoteTier): Promise<void> {
    const { cache, probe } = this.config;
    const claims = await Promise.all(this.items.map((item) => remote.claim(item.key)));
    const toLoad: Item[] = [];
    claims.forEach((claim, i) => {
      const item = this.items[i];
      if (claim.kind === 'entry') {
        probe.remoteHit();
        const { entry } = claim;
        if (!cache.log.covers(this.stamp, item.key, entry)) cache.local.write(item.key, entry);
        item.resolve(entry.value, true);
        return;
      }
      probe.remoteMiss();
      item.lease = claim.lease;
      // As a single call's load: an invalidation that drops the item lets its lock go at once.
      if (!item.flight.tracked) this.letGo(item);
      else item.flight.onDropped = () => this.letGo(item);
      toLoad.push(item);
    });
    this.callInChunks(toLoad);
  }

  private callInChunks(items: Item[]): void {
    const { maxBatchSize } = this.config;
    for (let from = 0; from < items.length; from += maxBatchSize) {
      this.call(items.slice(from, from + maxBatchSize));
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
