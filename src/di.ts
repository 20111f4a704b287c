// tsyringe refuses to load without a Reflect metadata polyfill, so load one first.
import 'reflect-metadata';
import { container } from 'tsyringe';
import { ExecutionUtils } from './execution-utils';

/**
 * The `ExecutionUtils` the container holds now. The library and the application share one
 * tsyringe (a peer dependency), so `container.registerInstance(ExecutionUtils, …)` replaces the
 * default for every decorated method. If the registration is gone (a `container.reset()` in a
 * test), a default singleton is registered again rather than building a new instance per call.
 */
export function currentExecutionUtils(): ExecutionUtils {
  if (!container.isRegistered(ExecutionUtils, true)) registerDefault();
  return container.resolve(ExecutionUtils);
}

function registerDefault(): void {
  container.registerSingleton(ExecutionUtils);
}

registerDefault();
