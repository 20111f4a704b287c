import { errorMessage } from './error-message';
import { ConfigError } from './errors';

/**
 * Loads an optional peer dependency (prom-client, @opentelemetry/api, ioredis) when the option
 * that needs it is used, so an application that does not use it runs without the package. A
 * package that cannot be loaded is a `ConfigError` on `option`, naming the package, why it
 * failed and the two ways out. The module is returned as `require` gives it.
 *
 * @param purpose what the package is for, as the message says it: `'Prometheus metrics'`
 */
export function loadOptionalPeer<T>(name: string, purpose: string, option: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: an optional peer
    return require(name) as T;
  } catch (error) {
    throw new ConfigError(
      option,
      `${purpose} use ${name}, which could not be loaded (${errorMessage(error)}); ` +
        `install it (npm install ${name}) or leave the \`${option}\` option out`,
    );
  }
}
