/* global console */
/**
 * Plain JavaScript, ES module: named imports from the CommonJS build (found by Node's
 * cjs-module-lexer) and proof that `import` and `require` reach ONE copy of the library and of
 * tsyringe, so there is no dual-package hazard. Then a cached, a retried and a timed-out call
 * through `wrap`, with the instance registered through the other module system. See check.sh.
 */
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { container } from 'tsyringe';
import {
  Cached,
  currentSignal,
  ExecutionUtils,
  Retry,
  Timeout,
  TimeoutError,
} from 'execution-utils';
import { ManualClock } from 'execution-utils/testing';

function check(ok, what) {
  if (!ok) throw new Error(`same-instance check: ${what}`);
}

const load = createRequire(import.meta.url);
const cjs = load('execution-utils');
const cjsTesting = load('execution-utils/testing');
const esm = await import('execution-utils');

for (const [name, value] of Object.entries({ Cached, ExecutionUtils, Retry, Timeout })) {
  check(typeof value === 'function', `named import ${name} is ${typeof value}`);
}
check(cjs.ExecutionUtils === ExecutionUtils, 'require and import load two ExecutionUtils classes');
check(esm.ExecutionUtils === ExecutionUtils, 'dynamic import gives another ExecutionUtils');
check(cjs.TimeoutError === TimeoutError, 'require and import load two TimeoutError classes');
check(cjsTesting.ManualClock === ManualClock, "two ManualClocks from 'execution-utils/testing'");
check(cjs.ManualClock === ManualClock, "the main entry's ManualClock is another class");
check(load('tsyringe').container === container, 'require and import load two tsyringe containers');

// Registered with the ESM class, read by the CommonJS build through the one shared container.
const utils = ExecutionUtils.forTesting();
container.registerInstance(cjs.ExecutionUtils, utils);
check(container.resolve(ExecutionUtils) === utils, 'the container lost the registered instance');

let loads = 0;
const cached = utils.wrap(async (id) => `value of ${++loads}:${id}`, { name: 'load', cache: true });
check((await cached('a')) === (await cached('a')) && loads === 1, `cached fn ran ${loads} times`);

let attempts = 0;
const flaky = utils.wrap(
  async () => {
    if (++attempts < 3) throw new Error(`transient failure ${attempts}`);
    return 'ok';
  },
  { name: 'flaky', retry: { attempts: 3, jitter: 'none' } },
);
check((await flaky()) === 'ok' && attempts === 3, `retried fn ran ${attempts} times, expected 3`);

const hang = utils.wrap(
  () => {
    const signal = currentSignal();
    return new Promise((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason)),
    );
  },
  { name: 'hang', timeout: 1_000 },
);
const outcome = hang().then(
  () => undefined,
  (e) => e,
);
await utils.clock.advance(1_000);
const error = await outcome;
check(error instanceof TimeoutError, `expected a TimeoutError, got ${String(error)}`);
check(error instanceof cjs.TimeoutError && error.operation === 'hang', error.message);
check(utils.clock.pendingTimers === 0, `${utils.clock.pendingTimers} timers outlived the calls`);

const { hits, retries, timeouts } = utils.getStats();
check(hits === 1 && retries === 2 && timeouts === 1, `stats ${hits}/${retries}/${timeouts}`);
console.log(
  `same module instance for import and require: ok (hits=${hits}, retries=${retries}, timeouts=${timeouts})`,
);
