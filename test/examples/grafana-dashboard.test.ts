import { Registry } from 'prom-client';
import { ExecutionUtils } from '../../src';
import { dashboard, expressions, metricNames } from './dashboard';

/** Every series name the library exports, with a histogram's `_bucket`, `_sum` and `_count`. */
async function exportedNames(): Promise<Set<string>> {
  const registry = new Registry();
  const utils = new ExecutionUtils({ metrics: { registry } });
  const metrics = await registry.getMetricsAsJSON();
  await utils.close();
  return new Set(
    metrics.flatMap(({ name, type }) =>
      String(type) === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
    ),
  );
}

describe('examples/grafana/execution-utils.json', () => {
  it('is an importable dashboard with a Prometheus datasource input', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    ]);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe('${DS_PROMETHEUS}');
      for (const target of panel.targets) expect(target.datasource.uid).toBe('${DS_PROMETHEUS}');
    }
  });

  it('names only metrics the library exports, in every panel', async () => {
    const exported = await exportedNames();
    const used = expressions.flatMap(metricNames);
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });

  it("keeps the original's four queries and adds breaker state and bulkhead use", () => {
    expect(expressions).toEqual(
      expect.arrayContaining([
        'sum(rate(cache_hits_total[5m])) by (operation_type) / (sum(rate(cache_hits_total[5m])) by (operation_type) + sum(rate(cache_misses_total[5m])) by (operation_type))',
        'histogram_quantile(0.95, sum(rate(operation_duration_seconds_bucket[5m])) by (le, operation_type))',
        expect.stringContaining('rate(retry_attempts_total[5m])'),
        expect.stringContaining('rate(timeout_errors_total[5m])'),
        expect.stringContaining('circuit_state'),
        expect.stringContaining('bulkhead_in_use'),
      ]),
    );
  });

  it('would catch a panel naming a metric that does not exist', () => {
    expect(metricNames('sum(rate(cache_hit_total{operation_type="x"}[5m])) by (le)')).toEqual([
      'cache_hit_total',
    ]);
  });
});
