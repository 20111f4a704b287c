import type * as PromClient from 'prom-client';
import { ConfigError } from '../errors';
import {
  checkKnownKeys,
  checkOptionsObject,
  checkPositiveInteger,
  fail,
  optionKeys,
  optional,
} from '../validation';
import type { PolicyRegistry } from '../resilience/registry';
import type { EventBus } from './events';
import { MetricSet } from './metric-set';
import type { StatsBook } from './stats';
import { loadOptionalPeer } from '../optional-peer';

/** What a metric set reads from one service. */
export interface MetricsSource {
  /** Per-operation counters, read at scrape time (the hit path only bumps them). */
  readonly stats: StatsBook;
  /** Where durations and timeouts (with their scope) are heard. */
  readonly bus: EventBus;
  /** Breakers and bulkheads, listed at scrape time for the gauges. */
  readonly policies: Pick<PolicyRegistry, 'listBreakers' | 'listBulkheads'>;
  /** Entries in the cache now (0 once closed). */
  cacheSize(): number;
  /**
   * Bytes the entries hold now: exact with a byte bound, else estimated from a bounded sample of
   * them (a scrape must not walk a large cache); 0 once closed.
   */
  cacheBytes(): number;
  /** The `cacheMaxBytes` bound, if any. */
  readonly cacheMaxBytes: number | undefined;
}

/**
 * The part of a prom-client `Registry` the library uses. Declared here rather than imported so
 * that the library's types do not need prom-client installed: pass a prom-client `Registry`
 * (`new Registry()`, or its global `register`).
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

/**
 * Options of `utils.registerMetrics(registry, options)`.
 *
 * @example
 * utils.registerMetrics(registry, { prefix: 'billing_', maxOperations: 50 });
 */
export interface RegisterMetricsOptions {
  /**
   * Prepended to every metric name, e.g. `'billing_'` gives `billing_cache_hits_total`. Default
   * `''`: the Python original's names, so its dashboards and alerts keep working.
   */
  prefix?: string;
  /**
   * Most distinct `operation_type` label values on this registry; later operations are reported
   * as `operation_type="other"`. An integer >= 1. Default 200. Every service registered on one
   * registry (with one prefix) shares the cap, so they must agree on it.
   */
  maxOperations?: number;
}

/**
 * The `metrics` option of `new ExecutionUtils({ metrics })`: Prometheus metrics through
 * prom-client, which must then be installed.
 *
 * @example
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * container.registerInstance(ExecutionUtils, new ExecutionUtils({ metrics: { registry } }));
 */
export interface MetricsOptions extends RegisterMetricsOptions {
  /** The prom-client registry to register on. Default: prom-client's global `register`. */
  registry?: MetricsRegistry;
}

const DEFAULT_MAX_OPERATIONS = 200;
const METRIC_NAME_PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

const METRICS_OPTION_KEYS = optionKeys<MetricsOptions>({
  registry: true,
  prefix: true,
  maxOperations: true,
});

/** Validates metrics options (an unknown key included); throws `ConfigError` naming `${where}.<option>`. */
export function validateMetricsOptions(o: MetricsOptions, where: string): void {
  checkOptionsObject(where, o);
  checkKnownKeys(where, o, METRICS_OPTION_KEYS);
  const registry = o.registry as Partial<Record<keyof MetricsRegistry, unknown>> | undefined;
  if (
    registry !== undefined &&
    (typeof registry !== 'object' ||
      registry === null ||
      typeof registry.registerMetric !== 'function' ||
      typeof registry.getSingleMetric !== 'function' ||
      typeof registry.removeSingleMetric !== 'function')
  ) {
    fail(`${where}.registry`, o.registry, 'a prom-client Registry');
  }
  if (
    o.prefix !== undefined &&
    !(typeof o.prefix === 'string' && METRIC_NAME_PREFIX.test(o.prefix))
  ) {
    fail(
      `${where}.prefix`,
      o.prefix,
      'a metric name prefix: letters, digits, _ and :, not first a digit',
    );
  }
  optional(checkPositiveInteger)(`${where}.maxOperations`, o.maxOperations);
}

/**
 * prom-client, loaded at the first registration only: it is an optional peer dependency, and a
 * service that exports no metrics must run without it installed.
 */
function loadPromClient(): typeof PromClient {
  return loadOptionalPeer('prom-client', 'Prometheus metrics', 'metrics');
}

/** The metric sets of each registry, by prefix: one set per name on a registry, however many services. */
const setsByRegistry = new WeakMap<object, Map<string, MetricSet>>();

function metricSetFor(
  prom: typeof PromClient,
  registry: PromClient.Registry,
  prefix: string,
  maxOperations: number | undefined,
  where: string,
): MetricSet {
  let sets = setsByRegistry.get(registry);
  if (!sets) {
    sets = new Map();
    setsByRegistry.set(registry, sets);
  }
  const existing = sets.get(prefix);
  if (existing) {
    if (maxOperations !== undefined && maxOperations !== existing.maxOperations) {
      throw new ConfigError(
        `${where}.maxOperations`,
        `this registry already exports execution-utils metrics${prefix ? ` prefixed '${prefix}'` : ''} ` +
          `capped at ${existing.maxOperations} operations; give the same maxOperations, or another prefix`,
      );
    }
    existing.ensureRegistered();
    return existing;
  }
  const set = new MetricSet(prom, registry, prefix, maxOperations ?? DEFAULT_MAX_OPERATIONS);
  sets.set(prefix, set);
  return set;
}

/**
 * The registries one service exports its metrics to. Made at the first registration, so a
 * service without metrics carries nothing of it.
 */
export class ServiceMetrics {
  private readonly sets = new Set<MetricSet>();

  constructor(private readonly source: MetricsSource) {}

  /** Attaches the service to the registry's metric set; the same registration again does nothing. */
  register(options: MetricsOptions, where: string): void {
    validateMetricsOptions(options, where);
    const prom = loadPromClient();
    const registry = (options.registry as PromClient.Registry | undefined) ?? prom.register;
    const set = metricSetFor(prom, registry, options.prefix ?? '', options.maxOperations, where);
    set.attach(this.source);
    this.sets.add(set);
  }

  /** Detaches the service from every registry (at `close()`); what it counted stays exported. */
  detachAll(): void {
    for (const set of this.sets) set.detach(this.source);
    this.sets.clear();
  }
}
