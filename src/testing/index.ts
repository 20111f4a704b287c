/**
 * Test helpers, published as the `execution-utils/testing` subpath so that test-only code stays
 * out of the main entry point.
 *
 * @example
 * import { ExecutionUtils } from 'execution-utils';
 * import { ManualClock } from 'execution-utils/testing';
 *
 * const clock = new ManualClock();
 * const utils = new ExecutionUtils({ clock, sleep: async () => {} });
 *
 * @packageDocumentation
 */
export { ManualClock } from './manual-clock';
