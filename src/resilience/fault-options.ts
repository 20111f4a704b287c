import {
  checkKnownKeys,
  checkName,
  checkOptionsObject,
  fail,
  optional,
  optionKeys,
} from '../validation';

/**
 * Faults to inject into an operation's attempts, for tests and staging (`faults[operation]` on
 * the service, or `utils.injectFaults(operation, spec)`). Each attempt draws on the service's
 * `random`, in this order: whether it is delayed (`latencyRate`), then whether it fails
 * (`failRate`); so a seeded or fixed `random` makes a run repeatable.
 */
export interface FaultSpec {
  /**
   * Share of attempts that fail, in [0, 1]. Default: 1 when `error` is given, else 0. A failed
   * attempt never reaches the method: every policy sees it as the method's own failure.
   */
  failRate?: number;
  /** What a failed attempt throws: an error, or a function making one. Default: `InjectedFaultError`. */
  error?: unknown;
  /**
   * Milliseconds to delay an attempt by before it runs (on the service clock; the attempt's
   * signal ends the wait), for methods that return a Promise.
   */
  latencyMs?: number;
  /** Share of attempts delayed, in [0, 1]. Default: 1 when `latencyMs` is given. */
  latencyRate?: number;
  /** Only calls whose context's `userId` is one of these. Default: every call. */
  tenants?: readonly string[];
}

const FAULT_KEYS = optionKeys<FaultSpec>({
  failRate: true,
  error: true,
  latencyMs: true,
  latencyRate: true,
  tenants: true,
});

/** Node's timers fire at once past 2^31 - 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;
const checkDelay = (label: string, v: unknown): void => {
  if (typeof v !== 'number' || !(v >= 0 && v <= MAX_DELAY_MS)) {
    fail(label, v, `a number of ms from 0 to ${MAX_DELAY_MS}`);
  }
};
const checkRate = (label: string, v: unknown): void => {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(label, v, 'a share in [0, 1]');
};

/** Checks a fault spec where it is given; `label` names it in errors (`faults.Users.get`). */
export function validateFaultSpec(spec: FaultSpec, label: string): void {
  checkOptionsObject(label, spec);
  checkKnownKeys(label, spec, FAULT_KEYS);
  optional(checkRate)(`${label}.failRate`, spec.failRate);
  optional(checkRate)(`${label}.latencyRate`, spec.latencyRate);
  optional(checkDelay)(`${label}.latencyMs`, spec.latencyMs);
  if (spec.tenants !== undefined) {
    if (!Array.isArray(spec.tenants)) fail(`${label}.tenants`, spec.tenants, 'an array of userIds');
    spec.tenants.forEach((tenant, i) => checkName(`${label}.tenants[${i}]`, tenant));
  }
  if (spec.failRate === undefined && spec.error === undefined && spec.latencyMs === undefined) {
    fail(label, spec, 'a fault: failRate, error or latencyMs');
  }
}
