// tsyringe refuses to load without a Reflect metadata polyfill, so load one first.
import 'reflect-metadata';
import { container } from 'tsyringe';
import type { MethodPolicies } from './decorators/method-policies';
import { ConfigError } from './errors';

/** What a decorated method's trampoline asks of the service: run this call through its pipeline. */
export interface DecoratedCallRunner {
  invokeDecorated(policies: MethodPolicies, thisArg: unknown, args: unknown[]): unknown;
}

/** The service class, as the container knows it (the injection token). */
type ServiceClass = new () => DecoratedCallRunner;

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

/** Set by the service's own module when it loads: the layers below never import the service. */
let serviceClass: ServiceClass | undefined;
let lastRegistration: Registration | undefined;
let lastService: DecoratedCallRunner | undefined;

/** Makes `cls` the token decorated methods resolve, and registers its default singleton. */
export function provideService(cls: ServiceClass): void {
  serviceClass = cls;
  container.registerSingleton(cls);
}

/**
 * The service the container holds now. The library and the application share one tsyringe (a
 * peer dependency), so `container.registerInstance(ExecutionUtils, …)` replaces the default for
 * every decorated method from its next call on.
 */
export function currentService(): DecoratedCallRunner {
  const list = registrations?.get(serviceClass);
  const current = list === undefined ? undefined : list[list.length - 1];
  if (current !== undefined && current === lastRegistration && lastService !== undefined) {
    if (fixedValueOf(current) === lastService) return lastService;
  }
  return resolveAndRemember();
}

function resolveAndRemember(): DecoratedCallRunner {
  const cls = serviceClass;
  if (cls === undefined) {
    throw new ConfigError(
      'ExecutionUtils',
      "is not loaded: import the library from 'execution-utils' before calling a decorated method",
    );
  }
  // After a `container.reset()` (common in tests), register the default singleton again rather
  // than let tsyringe build a new, empty instance for every call.
  if (!container.isRegistered(cls, true)) container.registerSingleton(cls);
  const service = container.resolve(cls);
  const list = registrations?.get(cls);
  const current = list === undefined ? undefined : list[list.length - 1];
  // Remember only a registration that yields this very instance every time: a value, or a
  // singleton already built. A transient or factory registration is resolved on every call.
  const fixed = current !== undefined && fixedValueOf(current) === service;
  lastRegistration = fixed ? current : undefined;
  lastService = fixed ? service : undefined;
  return service;
}

function fixedValueOf(registration: Registration): unknown {
  return registration.instance ?? registration.provider.useValue;
}
