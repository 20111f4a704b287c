import { ConfigError } from './errors';

/**
 * The one home of "expected X, got Y": every option, argument and environment variable is checked
 * by a {@link Check} built here, so the same rule reads the same way wherever it is broken.
 */

/** Checks one value; `label` is what the error names (an option or an environment variable). */
export type Check = (label: string, value: unknown) => void;

export function fail(label: string, value: unknown, expected: string): never {
  throw new ConfigError(label, `expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** The rule a number must follow; `expected` is how the error message states it. */
interface NumberRule {
  readonly expected: string;
  readonly min: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly integer?: boolean;
  /** Whether `Infinity` is allowed (it never is for integers). */
  readonly infinite?: boolean;
}

function numberCheck(rule: NumberRule): Check {
  const { expected, min, minExclusive = false, max = Infinity, integer = false } = rule;
  return (label, v) => {
    const ok =
      typeof v === 'number' &&
      (minExclusive ? v > min : v >= min) &&
      v <= max &&
      (integer ? Number.isInteger(v) : rule.infinite ? !Number.isNaN(v) : Number.isFinite(v));
    if (!ok) fail(label, v, expected);
  };
}

/** An integer from `min` to `max`, both included. */
export function checkIntegerInRange(min: number, max: number): Check {
  return numberCheck({ expected: `an integer from ${min} to ${max}`, min, max, integer: true });
}

export const checkNonNegativeInteger = numberCheck({
  expected: 'an integer >= 0',
  min: 0,
  integer: true,
});
export const checkPositiveInteger = numberCheck({
  expected: 'an integer >= 1',
  min: 1,
  integer: true,
});
export const checkFiniteNumber = numberCheck({ expected: 'a finite number', min: -Infinity });
export const checkNonNegativeNumber = numberCheck({ expected: 'a finite number >= 0', min: 0 });
export const checkPositiveNumber = numberCheck({
  expected: 'a finite number > 0',
  min: 0,
  minExclusive: true,
});
/** A factor such as a backoff multiplier. */
export const checkMultiplier = numberCheck({ expected: 'a finite number >= 1', min: 1 });
export const checkNonNegativeMs = numberCheck({ expected: 'a finite number of ms >= 0', min: 0 });
export const checkPositiveMs = numberCheck({
  expected: 'a finite number of ms > 0',
  min: 0,
  minExclusive: true,
});
/** A time to live, in whole milliseconds (as the original's TTLs and Redis's PX take them). */
export const checkTtlMs = numberCheck({
  expected: 'a whole number of ms >= 0 (0 = never expires)',
  min: 0,
  integer: true,
});
/** A timeout or deadline: `0` and `Infinity` both mean "no limit". */
export const checkTimeoutMs = numberCheck({
  expected: 'a number of ms >= 0 (0 or Infinity = no limit)',
  min: 0,
  infinite: true,
});

export function checkFraction(upperInclusive: boolean): Check {
  return (label, v) => {
    const ok = typeof v === 'number' && v > 0 && (upperInclusive ? v <= 1 : v < 1);
    if (!ok) fail(label, v, `a fraction in (0, 1${upperInclusive ? ']' : ')'}`);
  };
}

/** A name (operation, profile, breaker, bulkhead): a non-empty string. */
export const checkName: Check = (label, v) => {
  if (typeof v !== 'string' || v === '') fail(label, v, 'a non-empty name');
};

export const checkString: Check = (label, v) => {
  if (typeof v !== 'string') fail(label, v, 'a string');
};

export const checkBoolean: Check = (label, v) => {
  if (typeof v !== 'boolean') fail(label, v, 'true or false');
};

export const checkFunction: Check = (label, v) => {
  if (typeof v !== 'function') fail(label, v, 'a function');
};

/** A non-null, non-array object: the options bag of a decorator or of the service. */
export const checkOptionsObject: Check = (label, v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(label, v, 'an options object');
};

export function checkOneOf(values: readonly string[]): Check {
  const expected = values.map((v) => `'${v}'`).join(', ');
  return (label, v) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(label, v, `one of ${expected}`);
  };
}

/** Wraps a check so that `undefined` (an unset option) passes. */
export const optional =
  (check: Check): Check =>
  (label, v) => {
    if (v !== undefined) check(label, v);
  };

/**
 * The keys of an options type, listed once beside it: `Record<keyof T, true>` fails to compile
 * when a key of `T` is missing or one is not in `T`, so the list cannot drift from the type.
 */
export function optionKeys<T>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

/**
 * Refuses a key of `options` that `known` does not list: a misspelt option (`cacheTTL` from
 * JavaScript, or through a cast) would otherwise be ignored without a word. The error names the
 * key (`label.key`, or the key alone without a label) and the closest known option, or lists them
 * all when none is close. A key set to `undefined` is refused too: it is misspelt all the same.
 */
export function checkKnownKeys(label: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw unknownOption(label ? `${label}.${key}` : key, key, known);
  }
}

/** The error for `key`, named `option` in errors, which is none of `known`. */
export function unknownOption(option: string, key: string, known: readonly string[]): ConfigError {
  const closest = closestName(key, known);
  return new ConfigError(
    option,
    `unknown option '${key}'; ` +
      (closest === undefined
        ? `the options are ${known.map((k) => `'${k}'`).join(', ')}`
        : `did you mean '${closest}'?`),
  );
}

/**
 * The name of `names` fewest edits away from `name`, ignoring case, if it is near enough to be a
 * typo of it: at most one edit per three letters (and one for any name). The first wins a tie.
 */
function closestName(name: string, names: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Edits (insert, delete, replace a letter, or swap two neighbours: the optimal string alignment
 * distance) that turn `a` into `b`. Option names are short, so the full table is cheap.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
