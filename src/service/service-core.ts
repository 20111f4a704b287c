import { FrequencySketch } from '../cache/frequency-sketch';
import { MemoryStore } from '../cache/memory-store';
import { ServiceCache } from '../cache/service-cache';
import { sleep, systemClock, type Clock } from '../clock';
import { EventBus } from '../observability/events';
import { subscribeLogger } from '../observability/logging';
import { ServiceMetrics } from '../observability/metrics';
import type { CallSpans } from '../observability/open-telemetry';
import { openTelemetrySpans } from '../observability/otel-spans';
import { Probe } from '../observability/probe';
import { ServiceProbe } from '../observability/service-probe';
import { StatsBook } from '../observability/stats';
import { resolveOptions, type ExecutionUtilsOptions, type ResolvedOptions } from '../options';
import type { PipelineRuntime } from '../pipeline/compile';
import { Pipelines } from '../pipeline/pipelines';
import type { CircuitBreaker } from '../resilience/circuit-breaker';
import { PolicyRegistry } from '../resilience/registry';
import { resolveBreaker } from '../pipeline/resolve-policies';
import type { RetryRuntime } from '../resilience/retry';
import type { FaultSpec } from '../resilience/fault-options';
import { HealthWindow } from './health-window';
import { redisTierFor } from './redis-wiring';

/**
 * Everything one `ExecutionUtils` owns, built once from its options: the cache tiers, the
 * counters and events, the policies, the compiled pipelines. The service's public methods are
 * thin faces over the modules of this folder, each handed this core.
 */
export class ServiceCore {
  readonly options: ResolvedOptions;
  readonly clock: Clock;
  readonly stats = new StatsBook();
  readonly bus = new EventBus();
  /** Where the service's own reports go (evictions, remote errors, invalidations...). */
  readonly report: ServiceProbe;
  /** The in-process tier; undefined when caching is off (`cacheSize: 0`). */
  readonly store: MemoryStore | undefined;
  /** The store, the shared tier and the loads in flight; undefined when caching is off. */
  readonly cache: ServiceCache | undefined;
  readonly retryRuntime: RetryRuntime;
  readonly policies: PolicyRegistry;
  /** Per-attempt timeouts set by `setOperationTimeout`, by operation. */
  readonly operationTimeouts = new Map<string, number>();
  /** Faults injected, by operation (the `faults` option, then `injectFaults` / `clearFaults`). */
  readonly faults: Map<string, FaultSpec>;
  readonly pipelines = new Pipelines(() => this.runtime());
  /** OpenTelemetry spans; undefined unless `tracing.openTelemetry` is on. */
  readonly spans: CallSpans | undefined;
  /** The counters at past `health()` calls: the window its rates cover. */
  readonly health: HealthWindow;
  closed = false;
  private metrics: ServiceMetrics | undefined;

  constructor(input: ExecutionUtilsOptions) {
    const options = (this.options = resolveOptions(input));
    this.faults = new Map(Object.entries(input.faults ?? {}));
    const clock = (this.clock = input.clock ?? systemClock);
    const report = (this.report = new ServiceProbe(this.stats.total, this.bus));
    this.health = new HealthWindow(clock, this.stats.total);
    this.store =
      options.l1Size > 0
        ? new MemoryStore(
            options.l1Size,
            options.cacheTtl,
            clock,
            (key) => report.evicted(key),
            options.cacheMaxBytes,
            options.l1Ttl,
            options.cacheAdmission === 'tinylfu' ? new FrequencySketch(options.l1Size) : undefined,
          )
        : undefined;
    this.cache =
      this.store &&
      new ServiceCache(
        this.store,
        redisTierFor(input, report, () => this.cache),
      );
    this.retryRuntime = {
      sleep: input.sleep ?? ((ms, signal) => sleep(clock, ms, signal)),
      random: input.random ?? Math.random,
      now: () => clock.now(),
    };
    this.policies = new PolicyRegistry(
      clock,
      options.retryBudget,
      (breaker, from, to) => report.breakerStateChange(breaker, from, to),
      this.cache?.remote,
    );
    // Before metrics: a missing @opentelemetry/api fails the constructor before it registers.
    this.spans = openTelemetrySpans(input.tracing);
    if (input.logger) subscribeLogger(this.bus, input.logger);
    if (input.metrics !== undefined) this.metricsExport().register(input.metrics, 'metrics');
  }

  /** The breaker `name`, with its profile's settings if no call has made it yet. */
  breaker(name: string): CircuitBreaker {
    return this.policies.breaker(name, resolveBreaker(name, name, this.options).settings);
  }

  /** The probe one operation's stages report through. */
  probe(operation: string): Probe {
    return new Probe(operation, this.clock, this.stats.of(operation), this.stats.total, this.bus);
  }

  /** The registries this service exports metrics to; made at the first registration. */
  metricsExport(): ServiceMetrics {
    return (this.metrics ??= new ServiceMetrics({
      stats: this.stats,
      bus: this.bus,
      policies: this.policies,
      cacheSize: () => this.store?.size ?? 0,
      // A scrape must not walk a large cache: sampled unless the byte bound keeps the sum.
      cacheBytes: () => this.store?.sampledBytes() ?? 0,
      cacheMaxBytes: this.options.cacheMaxBytes,
    }));
  }

  /** Empties the cache, stops caching and closes the shared tier. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache?.dropLocal({ kind: 'all' });
    this.pipelines.reset();
    this.metrics?.detachAll();
    await this.cache?.remote?.close();
  }

  /** What a pipeline compiled now is built from (no cache once closed). */
  private runtime(): PipelineRuntime {
    return {
      options: this.options,
      clock: this.clock,
      probe: (operation) => this.probe(operation),
      retry: this.retryRuntime,
      operationTimeouts: this.operationTimeouts,
      faults: this.faults,
      policies: this.policies,
      cache: this.closed ? undefined : this.cache,
      spans: this.spans,
    };
  }
}
