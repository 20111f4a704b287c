import type { Logger } from '../../observability/logging';
import { DEFAULT_NAMESPACE } from './redis-options';

/**
 * Warns through `logger` when a Redis tier runs on the default namespace: every application on
 * the same Redis that leaves `namespace` unset reads and writes the same keys, and one's
 * `clearCache()` or invalidations empty the others'. Meant for the service's constructor, so
 * the line is written once per service; a logger that throws is ignored, as for every line.
 *
 * @param namespace the tier's namespace, as resolved (`resolveRedisOptions`).
 */
export function warnOnDefaultNamespace(namespace: string, logger: Logger | undefined): void {
  if (namespace !== DEFAULT_NAMESPACE || !logger) return;
  try {
    logger.warn(
      `The Redis tier runs on the default namespace '${DEFAULT_NAMESPACE}': every application on ` +
        'this Redis that leaves `namespace` unset shares its entries, and a clearCache() in any ' +
        "of them empties the others'; give each application its own, e.g. " +
        "new ExecutionUtils({ redis, namespace: 'billing' })",
    );
  } catch {
    // Logging must not change what it observes: here, whether the service can be made.
  }
}
