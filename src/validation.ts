import { ConfigError } from './errors';

/** Checks one value; `label` is what the error names (an option or an environment variable). */
export type Check = (label: string, value: unknown) => void;

export const fail = (label: string, value: unknown, expected: string): never => {
  throw new ConfigError(label, `expected ${expected}, got ${describe(value)}`);
};

const describe = (value: unknown): string =>
  typeof value === 'string' ? `'${value}'` : String(value);

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

export const checkNonNegativeInteger: Check = (label, v) => {
  if (!isNumber(v) || !Number.isInteger(v) || v < 0) fail(label, v, 'an integer >= 0');
};
export const checkPositiveInteger: Check = (label, v) => {
  if (!isNumber(v) || !Number.isInteger(v) || v < 1) fail(label, v, 'an integer >= 1');
};
export const checkNonNegativeMs: Check = (label, v) => {
  if (!isNumber(v) || !Number.isFinite(v) || v < 0) fail(label, v, 'a finite number of ms >= 0');
};
export const checkPositiveMs: Check = (label, v) => {
  if (!isNumber(v) || !Number.isFinite(v) || v <= 0) fail(label, v, 'a finite number of ms > 0');
};
export const checkFunction: Check = (label, v) => {
  if (typeof v !== 'function') fail(label, v, 'a function');
};

/** Wraps a check so that `undefined` (an unset option) passes. */
export const optional =
  (check: Check): Check =>
  (label, v) => {
    if (v !== undefined) check(label, v);
  };
