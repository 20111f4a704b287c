import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The Grafana dashboard as its tests read it: the dashboard's own test checks the names exist,
// the metrics server's test checks its traffic moves each of them.

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

export const dashboard = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'examples', 'grafana', 'execution-utils.json'), 'utf8'),
) as Dashboard;

/** Every panel's PromQL expressions. */
export const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((t) => t.expr));

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
export function metricNames(expr: string): string[] {
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
