import {
  checkFunction,
  checkKnownKeys,
  checkOptionsObject,
  fail,
  optional,
  optionKeys,
} from '../validation';

/** What `@Fallback` takes besides the value: which errors it covers. */
export interface FallbackOptions {
  /**
   * Whether the fallback covers `error` (the error the call failed with after every other
   * policy). Default: every error. The caller's own abort is never covered: it gets its reason.
   */
  on?: (error: unknown) => boolean;
}

/**
 * What a method falls back to when its call fails, as `@Fallback(to, options)` records it (and
 * `wrap({ fallback })` and `operations[name].fallback` take it): `to` is the value returned
 * instead of the error, or a function called with the error and the call's arguments (and the
 * call's `this`) whose result is returned. A function is always called: to fall back to a
 * function value, return it from one.
 */
export interface FallbackSpec extends FallbackOptions {
  to: unknown;
}

const FALLBACK_KEYS = optionKeys<FallbackSpec>({ to: true, on: true });

/** Checks a fallback where it is declared. */
export function validateFallbackSpec(spec: FallbackSpec, label: string): void {
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, FALLBACK_KEYS);
  // `to: undefined` is a value like any other; only a missing `to` says nothing to fall back to.
  if (!Object.hasOwn(spec, 'to')) fail(`${label}.to`, undefined, 'a value or a function');
  optional(checkFunction)(`${label}.on`, spec.on);
}
