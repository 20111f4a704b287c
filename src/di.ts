// tsyringe refuses to load without a Reflect metadata polyfill, so load one first.
import 'reflect-metadata';
import { container } from 'tsyringe';
import { ExecutionUtils } from './execution-utils';

/** The part of a tsyringe registration read here: what it resolves to when that is fixed. */
interface Registration {
  readonly provider: { readonly useValue?: unknown };
  readonly instance?: unknown;
}

// tsyringe 4's registry (a private field, read only): lets a call skip `container.resolve`, which
// allocates a resolution context each time, when the registration has not changed since the last
// call. If a future tsyringe stores it elsewhere, every call simply takes the public path.
const registry = (container as unknown as { _registry?: { _registryMap?: unknown } })._registry
  ?._registryMap;
const registrations =
  registry instanceof Map ? (registry as Map<unknown, Registration[]>) : undefined;

let lastRegistration: Registration | undefined;
let lastUtils: ExecutionUtils | undefined;

/**
 * The `ExecutionUtils` the container holds now. The library and the application share one
 * tsyringe (a peer dependency), so `container.registerInstance(ExecutionUtils, …)` replaces the
 * default for every decorated method from its next call on.
 */
export function currentExecutionUtils(): ExecutionUtils {
  const list = registrations?.get(ExecutionUtils);
  const current = list === undefined ? undefined : list[list.length - 1];
  if (current !== undefined && current === lastRegistration && lastUtils !== undefined) {
    if (fixedValueOf(current) === lastUtils) return lastUtils;
  }
  return resolveAndRemember();
}

function resolveAndRemember(): ExecutionUtils {
  // After a `container.reset()` (common in tests), register the default singleton again rather
  // than let tsyringe build a new, empty instance for every call.
  if (!container.isRegistered(ExecutionUtils, true)) registerDefault();
  const utils = container.resolve(ExecutionUtils);
  const list = registrations?.get(ExecutionUtils);
  const current = list === undefined ? undefined : list[list.length - 1];
  // Remember only a registration that yields this very instance every time: a value, or a
  // singleton already built. A transient or factory registration is resolved on every call.
  const fixed = current !== undefined && fixedValueOf(current) === utils;
  lastRegistration = fixed ? current : undefined;
  lastUtils = fixed ? utils : undefined;
  return utils;
}

function fixedValueOf(registration: Registration): unknown {
  return registration.instance ?? registration.provider.useValue;
}

function registerDefault(): void {
  container.registerSingleton(ExecutionUtils);
}

registerDefault();
