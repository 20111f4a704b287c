import {
  checkFraction,
  checkIntegerInRange,
  checkKnownKeys,
  checkName,
  checkOptionsObject,
  fail,
  optional,
  optionKeys,
} from '../validation';

/** When a hedge starts: a fixed delay, or a percentile of the operation's recent latency. */
export type HedgeDelay = number | { readonly percentile: number };

/** Settings of a hedge (a profile's `hedge` may set either). */
export interface HedgeOptions {
  /**
   * How long an attempt may run before another one is started beside it: ms (0 to 2^31 - 1), or
   * `{ percentile }` (a fraction in (0, 1)) of the operation's recent attempt latencies; with a
   * percentile, no hedge is sent until 20 attempts have been timed.
   */
  delay?: HedgeDelay;
  /** Attempts started besides the first, at most: an integer from 1 to 10. Default 1. */
  maxHedges?: number;
}

/** What `@Hedge` takes. */
export interface HedgeDecoratorOptions extends HedgeOptions {
  delay: HedgeDelay;
  /** The name its latency record and its profile (`operations[name].hedge`) go by. Default: the operation. */
  name?: string;
}

export const HEDGE_OPTION_KEYS = optionKeys<HedgeOptions>({ delay: true, maxHedges: true });
const HEDGE_DECORATOR_KEYS = optionKeys<Pick<HedgeDecoratorOptions, 'name'>>({
  name: true,
}).concat(HEDGE_OPTION_KEYS);

const MAX_DELAY_MS = 2 ** 31 - 1;

/** Checks hedge settings; `where` prefixes the option in errors. */
export function validateHedgeOptions(o: HedgeOptions, where: string): void {
  const { delay } = o;
  if (typeof delay === 'number') {
    if (!(delay >= 0 && delay <= MAX_DELAY_MS)) {
      fail(`${where}.delay`, delay, `a number of ms from 0 to ${MAX_DELAY_MS}, or { percentile }`);
    }
  } else if (delay !== undefined) {
    checkOptionsObject(`${where}.delay`, delay);
    checkKnownKeys(`${where}.delay`, delay, ['percentile']);
    checkFraction(false)(`${where}.delay.percentile`, delay.percentile);
  }
  optional(checkIntegerInRange(1, 10))(`${where}.maxHedges`, o.maxHedges);
}

/** Checks `@Hedge` (or `wrap({ hedge })`) options where they are declared. */
export function validateHedgeSpec(spec: HedgeDecoratorOptions, label: string): void {
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, HEDGE_DECORATOR_KEYS);
  if (spec.delay === undefined) fail(`${label}.delay`, undefined, 'ms, or { percentile }');
  optional(checkName)(`${label}.name`, spec.name);
  validateHedgeOptions(spec, label);
}
