import { fail } from '../validation';
import type { EventBus } from './events';
import { errorMessage } from '../error-message';

/**
 * Where the service writes its log lines: `console`, or a pino-compatible logger (pino, winston,
 * bunyan, a child logger...). Each line is ONE string argument, called as a method
 * (`logger.warn(line)`), which console prints as it is and pino logs as `msg`.
 *
 * @example
 * new ExecutionUtils({ logger: console });
 * new ExecutionUtils({ logger: pino().child({ component: 'execution-utils' }) });
 */
export interface Logger {
  warn(message: string): unknown;
  error(message: string): unknown;
  debug(message: string): unknown;
}

/** Validates the `logger` option: an object with `warn`, `error` and `debug` methods. */
export function validateLogger(logger: unknown, label: string): void {
  const l = logger as Partial<Record<keyof Logger, unknown>> | null;
  if (
    (typeof l !== 'object' && typeof l !== 'function') ||
    l === null ||
    typeof l.warn !== 'function' ||
    typeof l.error !== 'function' ||
    typeof l.debug !== 'function'
  ) {
    fail(label, logger, 'console or a pino-compatible logger (warn, error and debug methods)');
  }
}

/** A retry wait in seconds, as the original printed it: `1500` -> `'1.5'`, to the ms. */
function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/**
 * Writes the service's log lines, as a subscriber of its events (so a service without a logger
 * pays nothing, and nothing is ever logged on the hit path):
 * - warn: `Retry {n}/{attempts} for {operation} after {delay}s: {error}` before each retry
 *   (`n` is the attempt that failed), the Python original's line;
 * - error: `Giving up {operation} after {n} attempts: {error}` when a retried call fails for good
 *   (not for a first error that was not worth a retry: no line per refusal during an outage);
 * - warn, once per operation: calls that run uncached because their arguments cannot be keyed;
 * - debug, once per operation: calls that run uncached for want of a tenant (`tenant: 'required'`);
 * - warn, once per cause: a Redis command that failed (see {@link logRemoteErrors}).
 * `{error}` is the error's message. A logger that throws is ignored, like any listener.
 */
export function subscribeLogger(bus: EventBus, logger: Logger): void {
  logRemoteErrors(bus, logger);
  bus.on('retry', ({ operation, attempt, attempts, delayMs, error }) => {
    logger.warn(
      `Retry ${attempt}/${attempts} for ${operation} after ${seconds(delayMs)}s: ${errorMessage(error)}`,
    );
  });
  bus.on('giveUp', ({ operation, attempts, error }) => {
    // Only calls that were retried: a first error not worth a retry (an open breaker's refusal,
    // a permanent error) would otherwise write an error line per call through a whole outage.
    if (attempts < 2) return;
    logger.error(`Giving up ${operation} after ${attempts} attempts: ${errorMessage(error)}`);
  });
  // A bounded set: operation names come from code (decorated methods, wrap names), not data.
  const told = { unkeyable: new Set<string>(), 'no-tenant': new Set<string>() };
  bus.on('uncached', ({ operation, reason }) => {
    const seen = told[reason];
    if (seen.has(operation)) return;
    seen.add(operation);
    if (reason === 'unkeyable') {
      logger.warn(
        `Calls of ${operation} run uncached: their arguments cannot be keyed (a function, ` +
          'symbol, promise, circular structure or class instance without toJSON(), or a key ' +
          'function that threw); give @Cached a `key` function that returns plain data, e.g. ' +
          '{ key: ([id]) => id }',
      );
    } else {
      logger.debug(
        `Calls of ${operation} without a userId run uncached (tenant: 'required'); ` +
          'call it inside runWithContext({ userId }) to cache them',
      );
    }
  });
}

/** What each kind of Redis failure means for the calls, after its cause. */
const REMOTE_OUTCOME = {
  error: 'calls go on without the Redis tier until it answers',
  timeout: 'calls go on without the Redis tier until it answers',
  decode: 'it is read as a miss and overwritten',
  encode: "the value stays in this process's cache only",
} as const;

/**
 * `Redis {command} failed ({reason}): {cause}; {what it means}`, at warn. The cause is the
 * connection's own error when there was no connection (`connect ECONNREFUSED 10.0.0.5:6379`).
 * One line per cause, not per call: a failure of the same reason and cause as the previous line
 * (whatever its command) is not logged again until the tier's breaker (`redis:<namespace>`) has
 * closed, so an outage writes one line however many calls it fails, and the next outage writes
 * its own. Calls skipped while the breaker is open (`'breaker-open'`) write none: the failures
 * that opened it were logged.
 */
function logRemoteErrors(bus: EventBus, logger: Logger): void {
  let previous: string | undefined;
  bus.on('remoteError', ({ command, reason, error }) => {
    if (reason === 'breaker-open') return;
    const cause =
      reason === 'decode' ? 'an entry in Redis could not be decoded' : errorMessage(error);
    const seen = `${reason} ${cause}`;
    if (seen === previous) return;
    previous = seen;
    logger.warn(`Redis ${command} failed (${reason}): ${cause}; ${REMOTE_OUTCOME[reason]}`);
  });
  bus.on('breakerStateChange', ({ breaker, to }) => {
    if (to === 'closed' && breaker.startsWith('redis:')) previous = undefined;
  });
}
