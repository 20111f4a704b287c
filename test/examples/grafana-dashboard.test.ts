import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ExecutionUtils } from '../../src';

interface Target {
  expr: string;
  datasource: { uid: string };
}

interface Panel {
  title: string;
  datasource: { uid: string };
  targets: Target[];
}

interface Dashboard {
  schemaVersion: number;
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: Panel[];
}

const dashboard = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'examples', 'grafana', 'execution-utils.json'), 'utf8'),
) as Dashboard;
const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr));

/** PromQL words that are not metric names (keywords and modifiers; functions are followed by `(`). */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/** The metric names a PromQL expression reads. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '') // strings
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, '') // grouping labels
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, ''); // ranges
  // A whole word (no backtracking into `su` of `sum(`) not followed by `(`: not a function.
  return [...bare.matchAll(/(?<![\w:])[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)]
    .map((m) => m[0])
    .filter((word) => !KEYWORDS.has(word) && !/^\d/.test(word));
}

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
