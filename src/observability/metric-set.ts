import type * as PromClient from 'prom-client';
import { ConfigError } from '../errors';
import type { CircuitState } from '../resilience/circuit-breaker';
import type { ExecutionEvents } from './events';
import type { MetricsSource } from './metrics';
import { OperationLabels } from './operation-labels';
import { newCounters, type Counters } from './stats';
import { errorMessage } from '../error-message';

/**
 * Upper bounds of `operation_duration_seconds`, in seconds: 1 ms to a minute, dense where remote
 * calls usually land (10 ms-1 s), and past the default 30 s timeout so a call that hit it falls
 * in a bucket of its own.
 */
export const DURATION_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Upper bounds of `cache_batch_size`: single ids up to the largest `maxBatchSize`. */
export const BATCH_SIZE_BUCKETS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 10_000,
];

/** `circuit_state` values: ordered by severity, so the worst of several services is the max. */
const CIRCUIT_CODES: Readonly<Record<CircuitState, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/** A per-operation counter copied from the StatsBook at scrape time. */
interface StatsCounterSpec {
  readonly name: string;
  readonly help: string;
  /** The StatsBook counters it sums; each field belongs to one spec only. */
  readonly fields: readonly (keyof Counters)[];
  /** Whether an operation shows this series at 0 (default: only once it is above 0). */
  readonly shownAtZero?: (c: Counters) => boolean;
}

// Hits and misses appear together, so the hit-rate query has both sides for every cached operation.
const looksUp = (c: Counters): boolean => c.hits + c.misses > 0;

const STATS_COUNTERS: readonly StatsCounterSpec[] = [
  {
    name: 'cache_hits_total',
    help: 'Cache lookups that found a live entry (a stale entry served while revalidating included).',
    fields: ['hits'],
    shownAtZero: looksUp,
  },
  {
    name: 'cache_misses_total',
    help: 'Cache lookups that found no entry.',
    fields: ['misses'],
    shownAtZero: looksUp,
  },
  {
    name: 'retry_attempts_total',
    help: 'Retries: attempts after the first (a call that succeeds at once adds nothing).',
    fields: ['retries'],
  },
  {
    name: 'cache_coalesced_total',
    help: 'Misses that joined an execution already in flight instead of starting one.',
    fields: ['coalesced'],
  },
  {
    name: 'cache_stale_served_total',
    help: 'Expired entries served: at once while revalidating, or instead of an error.',
    fields: ['staleHits', 'staleIfError'],
  },
  {
    name: 'cache_early_refreshes_total',
    help: 'Background refreshes a hit started before its entry expired (refreshAhead).',
    fields: ['earlyRefreshes'],
  },
  {
    name: 'cache_uncached_total',
    help: 'Calls run without the cache: arguments that cannot be keyed, or no tenant where one is required.',
    fields: ['uncached'],
  },
  {
    name: 'cache_remote_hits_total',
    help: 'Misses in this process served from the shared Redis tier.',
    fields: ['remoteHits'],
  },
  {
    name: 'cache_remote_misses_total',
    help: 'Misses in this process that the shared Redis tier could not serve either.',
    fields: ['remoteMisses'],
  },
  {
    name: 'rate_limited_total',
    help: 'Calls refused by a rate limit (@RateLimit), after any wait for their turn.',
    fields: ['rateLimited'],
  },
  {
    name: 'hedges_total',
    help: 'Attempts started beside a slow one (@Hedge).',
    fields: ['hedges'],
  },
  {
    name: 'fallbacks_total',
    help: 'Failed calls that returned their @Fallback instead of the error.',
    fields: ['fallbacks'],
  },
  {
    name: 'faults_injected_total',
    help: 'Failures and delays injected by fault injection (the faults option).',
    fields: ['faultsInjected'],
  },
  {
    name: 'operation_executions_total',
    help: 'Calls whose pipeline ran (cache hits excluded): what timeout and retry rates divide by, as health().rates does.',
    fields: ['executions'],
  },
  {
    name: 'circuit_rejections_total',
    help: 'Attempts refused at once by an open circuit breaker (CircuitOpenError): the dependency was spared them.',
    fields: ['circuitRejections'],
  },
  {
    name: 'bulkhead_rejections_total',
    help: 'Calls refused at once by a full bulkhead (BulkheadRejectedError).',
    fields: ['bulkheadRejections'],
  },
  {
    name: 'retry_budget_exhausted_total',
    help: 'Failures returned without a retry because the retry budget was spent.',
    fields: ['budgetExhausted'],
  },
];

type OperationCounter = PromClient.Counter<'operation_type'>;

/** One service attached to a metric set. */
interface Attachment {
  readonly source: MetricsSource;
  /**
   * What has been exported so far, per operation (a copy of its counters at the last scrape).
   * Starts at the counts of attach time: every metric counts what happened after registration.
   */
  readonly exported: Map<string, Counters>;
  exportedEvictions: number;
  readonly onExecuted: (event: ExecutionEvents['executed']) => void;
  readonly onTimeout: (event: ExecutionEvents['timeout']) => void;
  readonly onRemoteError: (event: ExecutionEvents['remoteError']) => void;
  readonly onBatch: (event: ExecutionEvents['batch']) => void;
}

type DurationChild = ReturnType<PromClient.Histogram<'operation_type'>['labels']>;

/**
 * The library's metrics on one prom-client registry (under one prefix), summed over every
 * service attached to it: a registry holds each name once, so two services share one set instead
 * of the second throwing "already registered". Counters are read from each service's StatsBook
 * when the registry is scraped and incremented by what changed since the previous scrape, so they
 * stay monotonic and a cache hit costs nothing more than it did. Only durations and timeouts by
 * scope come from events, which fire off the hit path.
 *
 * @internal Its declaration names prom-client's types: stripped from the published `.d.ts`, so
 * that a consumer without prom-client type-checks.
 */
export class MetricSet {
  private readonly attachments = new Map<MetricsSource, Attachment>();
  private readonly labels: OperationLabels;
  private readonly all: PromClient.Metric[] = [];
  private readonly statsCounters: [OperationCounter, StatsCounterSpec][] = [];
  private readonly evictions: PromClient.Counter;
  private readonly duration: PromClient.Histogram<'operation_type'>;
  /**
   * The duration histogram's child of each label value: observing through it skips hashing a
   * labels object on every executed call (that was most of what metrics added to a miss).
   */
  private readonly durations = new Map<string, DurationChild>();
  private readonly timeouts: PromClient.Counter<'operation_type' | 'scope'>;
  private readonly remoteErrors: PromClient.Counter<'reason'>;
  private readonly batchSize: PromClient.Histogram<'operation_type'>;

  /** Builds the metrics and registers them; throws `ConfigError` on a name already taken. */
  constructor(
    prom: typeof PromClient,
    private readonly registry: PromClient.Registry,
    readonly prefix: string,
    maxOperations: number,
  ) {
    this.labels = new OperationLabels(maxOperations);
    const add = <M extends PromClient.Metric>(metric: M): M => {
      this.all.push(metric);
      return metric;
    };
    // `registers: []`: registered together below, so a name clash leaves none half-registered.
    for (const spec of STATS_COUNTERS) {
      const exportAll = (metric: OperationCounter): void => {
        for (const a of this.attachments.values()) this.exportCounter(metric, spec, a);
      };
      const metric = add(
        new prom.Counter({
          name: prefix + spec.name,
          help: spec.help,
          labelNames: ['operation_type'],
          registers: [],
          collect() {
            exportAll(this);
          },
        }),
      );
      this.statsCounters.push([metric, spec]);
    }
    const exportEvictions = (metric: PromClient.Counter): void => {
      for (const a of this.attachments.values()) this.exportEvictions(metric, a);
    };
    this.evictions = add(
      new prom.Counter({
        name: `${prefix}cache_evictions_total`,
        help: 'Cache entries pushed out by the size bound (every service on this registry).',
        registers: [],
        collect() {
          exportEvictions(this);
        },
      }),
    );
    this.duration = add(
      new prom.Histogram({
        name: `${prefix}operation_duration_seconds`,
        help: 'Duration of executed calls (cache hits excluded), retries and waits included.',
        labelNames: ['operation_type'],
        buckets: [...DURATION_BUCKETS],
        registers: [],
      }),
    );
    this.timeouts = add(
      new prom.Counter({
        name: `${prefix}timeout_errors_total`,
        help: 'Timeouts: of one attempt (scope="attempt") or of a whole call\'s deadline (scope="total").',
        labelNames: ['operation_type', 'scope'],
        registers: [],
      }),
    );
    this.remoteErrors = add(
      new prom.Counter({
        name: `${prefix}cache_remote_errors_total`,
        help: 'Redis tier commands that did not help a call, by reason: error, timeout, breaker-open, decode, encode.',
        labelNames: ['reason'],
        registers: [],
      }),
    );
    this.batchSize = add(
      new prom.Histogram({
        name: `${prefix}cache_batch_size`,
        help: 'Ids per @CachedBatch method call (the missing ids of the calls merged into it).',
        labelNames: ['operation_type'],
        buckets: [...BATCH_SIZE_BUCKETS],
        registers: [],
      }),
    );
    const cacheSize = (): number => this.sum((s) => s.cacheSize());
    add(
      new prom.Gauge({
        name: `${prefix}cache_size`,
        help: 'Entries in the cache (every service on this registry).',
        registers: [],
        collect() {
          this.set(cacheSize());
        },
      }),
    );
    const cacheBytes = (): number => this.sum((s) => s.cacheBytes());
    add(
      new prom.Gauge({
        name: `${prefix}cache_memory_bytes`,
        help: 'Bytes held by cache entries: exact with cacheMaxBytes (what the bound charges), else estimated from at most 1,024 of them.',
        registers: [],
        collect() {
          this.set(cacheBytes());
        },
      }),
    );
    const maxBytes = (): number => this.sum((s) => s.cacheMaxBytes ?? 0);
    add(
      new prom.Gauge({
        name: `${prefix}cache_max_bytes`,
        help: 'The cacheMaxBytes bound (every service on this registry); 0 when none has one.',
        registers: [],
        collect() {
          this.set(maxBytes());
        },
      }),
    );
    const circuitStates = (): Map<string, number> => this.circuitStates();
    add(
      new prom.Gauge({
        name: `${prefix}circuit_state`,
        help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open (the worst across services).',
        labelNames: ['breaker'],
        registers: [],
        collect() {
          this.reset();
          for (const [breaker, code] of circuitStates()) this.set({ breaker }, code);
        },
      }),
    );
    const bulkheads = (read: 'running' | 'queued'): Map<string, number> => this.bulkheads(read);
    add(
      new prom.Gauge({
        name: `${prefix}bulkhead_in_use`,
        help: 'Calls holding a bulkhead slot now.',
        labelNames: ['bulkhead'],
        registers: [],
        collect() {
          this.reset();
          for (const [bulkhead, n] of bulkheads('running')) this.set({ bulkhead }, n);
        },
      }),
    );
    add(
      new prom.Gauge({
        name: `${prefix}bulkhead_queued`,
        help: 'Calls waiting for a bulkhead slot now.',
        labelNames: ['bulkhead'],
        registers: [],
        collect() {
          this.reset();
          for (const [bulkhead, n] of bulkheads('queued')) this.set({ bulkhead }, n);
        },
      }),
    );
    this.ensureRegistered();
  }

  /** Most distinct `operation_type` values before `other`. */
  get maxOperations(): number {
    return this.labels.max;
  }

  /**
   * Registers the metrics again if the registry lost them (`registry.clear()`); values are kept.
   * Throws `ConfigError` when another metric has taken one of the names.
   */
  ensureRegistered(): void {
    if (this.registry.getSingleMetric(nameOf(this.all[0])) === this.all[0]) return;
    const done: PromClient.Metric[] = [];
    try {
      for (const metric of this.all) {
        this.registry.registerMetric(metric);
        done.push(metric);
      }
    } catch (error) {
      for (const metric of done) this.registry.removeSingleMetric(nameOf(metric));
      throw new ConfigError(
        'metrics',
        `${errorMessage(error)}: another metric of that ` +
          'name is on this registry; give execution-utils a `prefix`, or use another registry',
      );
    }
  }

  /** Adds a service to what the metrics sum; a service already attached is left as it is. */
  attach(source: MetricsSource): void {
    if (this.attachments.has(source)) return;
    const exported = new Map<string, Counters>();
    for (const operation of source.stats.operationNames()) {
      exported.set(operation, { ...source.stats.of(operation) });
    }
    const attachment: Attachment = {
      source,
      exported,
      exportedEvictions: source.stats.total.evictions,
      onExecuted: ({ operation, durationMs }) =>
        this.durationOf(operation).observe(durationMs / 1000),
      onTimeout: ({ operation, scope }) =>
        this.timeouts.inc({ operation_type: this.labels.of(operation), scope }),
      onRemoteError: ({ reason }) => this.remoteErrors.inc({ reason }),
      onBatch: ({ operation, size }) =>
        this.batchSize.observe({ operation_type: this.labels.of(operation) }, size),
    };
    this.attachments.set(source, attachment);
    source.bus.on('executed', attachment.onExecuted);
    source.bus.on('timeout', attachment.onTimeout);
    source.bus.on('remoteError', attachment.onRemoteError);
    source.bus.on('batch', attachment.onBatch);
  }

  /** By label value, so the map is bounded like the labels themselves. */
  private durationOf(operation: string): DurationChild {
    const label = this.labels.of(operation);
    let child = this.durations.get(label);
    if (!child) {
      child = this.duration.labels({ operation_type: label });
      this.durations.set(label, child);
    }
    return child;
  }

  /**
   * Stops reading a service. What it counted since the last scrape is exported first, so counters
   * keep every call; its gauges leave at the next scrape.
   */
  detach(source: MetricsSource): void {
    const attachment = this.attachments.get(source);
    if (!attachment) return;
    for (const [metric, spec] of this.statsCounters) this.exportCounter(metric, spec, attachment);
    this.exportEvictions(this.evictions, attachment);
    source.bus.off('executed', attachment.onExecuted);
    source.bus.off('timeout', attachment.onTimeout);
    source.bus.off('remoteError', attachment.onRemoteError);
    source.bus.off('batch', attachment.onBatch);
    this.attachments.delete(source);
  }

  /** Adds to `metric` what each operation of one service counted since the last export. */
  private exportCounter(metric: OperationCounter, spec: StatsCounterSpec, a: Attachment): void {
    const stats = a.source.stats;
    for (const operation of stats.operationNames()) {
      const live = stats.of(operation);
      let exported = a.exported.get(operation);
      if (!exported) {
        exported = newCounters();
        a.exported.set(operation, exported);
      }
      let delta = 0;
      for (const field of spec.fields) {
        delta += increase(exported[field], live[field]);
        exported[field] = live[field];
      }
      if (delta > 0 || spec.shownAtZero?.(live)) {
        metric.inc({ operation_type: this.labels.of(operation) }, delta);
      }
    }
  }

  private exportEvictions(metric: PromClient.Counter, a: Attachment): void {
    const live = a.source.stats.total.evictions;
    metric.inc(increase(a.exportedEvictions, live));
    a.exportedEvictions = live;
  }

  private sum(read: (source: MetricsSource) => number): number {
    let total = 0;
    for (const source of this.attachments.keys()) total += read(source);
    return total;
  }

  private circuitStates(): Map<string, number> {
    const worst = new Map<string, number>();
    for (const source of this.attachments.keys()) {
      for (const [name, breaker] of source.policies.listBreakers()) {
        worst.set(name, Math.max(worst.get(name) ?? 0, CIRCUIT_CODES[breaker.state]));
      }
    }
    return worst;
  }

  private bulkheads(read: 'running' | 'queued'): Map<string, number> {
    const totals = new Map<string, number>();
    for (const source of this.attachments.keys()) {
      for (const [name, bulkhead] of source.policies.listBulkheads()) {
        totals.set(name, (totals.get(name) ?? 0) + bulkhead[read]);
      }
    }
    return totals;
  }
}

/** A metric's full name: every prom-client metric has one, though its types do not declare it. */
function nameOf(metric: PromClient.Metric): string {
  return (metric as unknown as { readonly name: string }).name;
}

/** How much a count grew; a count below the last one means it restarted, so all of it is new. */
function increase(last: number, now: number): number {
  return now >= last ? now - last : now;
}
