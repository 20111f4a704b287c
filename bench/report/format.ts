import type { Row, Target } from '../model';

export function ns(value: number | undefined): string {
  if (value === undefined) return '';
  if (value >= 10_000) return Math.round(value).toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function times(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value >= 100 ? `${value.toFixed(0)}x` : `${value.toFixed(2)}x`;
}

export function targetText(t: Target): string {
  const actual =
    t.actual === undefined ? 'n/a' : t.unit === 'x' ? times(t.actual) : String(t.actual);
  return `${actual} (${t.op} ${t.limit}${t.unit})`;
}

export const kindLabel: Record<Row['kind'], string> = {
  bare: 'bare',
  ours: 'ours',
  peer: 'peer',
  baseline: 'ref',
};
