import { ExecutionUtils, ManualClock, type ExecutionUtilsOptions } from '../../src';
import { rig, type TestRig } from '../helpers';
import {
  configErrorFrom,
  expectCacheStillHits,
  expectNoPrototypePollution,
  shown,
  untyped,
} from './support';

// Constructor options and environment variables fed what a config file, an env var or plain
// JavaScript can hold. Every refusal is a ConfigError whose `option` names the option (or the
// variable) and whose message shows the value; the service already registered keeps caching.

let current: TestRig;
beforeEach(() => {
  current = rig();
});

const build = (options: unknown) => () => new ExecutionUtils(untyped(options));

describe('a top-level constructor option of the wrong type, range or shape', () => {
  it.each<[keyof ExecutionUtilsOptions, unknown]>([
    ['cacheSize', -1],
    ['cacheSize', 1.5],
    ['cacheSize', NaN],
    ['cacheSize', Infinity],
    ['cacheSize', -Infinity],
    ['cacheSize', 2 ** 31],
    ['cacheSize', 10_000_001],
    ['cacheSize', 1e8],
    ['cacheSize', 1e12],
    ['cacheSize', Number.MAX_VALUE],
    ['cacheSize', '100'],
    ['cacheSize', null],
    ['cacheSize', true],
    ['cacheSize', {}],
    ['cacheSize', [100]],
    ['cacheSize', 10n],
    ['cacheTtl', -1],
    ['cacheTtl', 1.5],
    ['cacheTtl', 0.4],
    ['cacheTtl', NaN],
    ['cacheTtl', Infinity],
    ['cacheTtl', -Infinity],
    ['cacheTtl', '1000'],
    ['cacheTtl', null],
    ['cacheTtl', false],
    ['tenant', 'everyone'],
    ['tenant', ''],
    ['tenant', null],
    ['tenant', 1],
    ['retryAttempts', 0],
    ['retryAttempts', -1],
    ['retryAttempts', 1.5],
    ['retryAttempts', NaN],
    ['retryAttempts', Infinity],
    ['retryAttempts', '3'],
    ['retryAttempts', null],
    ['retryBackoff', -1],
    ['retryBackoff', NaN],
    ['retryBackoff', Infinity],
    ['retryBackoff', '1000'],
    ['retryBackoff', null],
    ['retryMinDelay', -0.5],
    ['retryMinDelay', NaN],
    ['retryMinDelay', Infinity],
    ['retryMinDelay', null],
    ['retryMaxDelay', -1],
    ['retryMaxDelay', NaN],
    ['retryMaxDelay', Infinity],
    ['retryMaxDelay', '10s'],
    ['retryJitter', 'random'],
    ['retryJitter', null],
    ['retryJitter', 0],
    ['defaultTimeout', -1],
    ['defaultTimeout', NaN],
    ['defaultTimeout', -Infinity],
    ['defaultTimeout', '30000'],
    ['defaultTimeout', null],
    ['defaultTimeout', {}],
    ['retryBudget', null],
    ['retryBudget', 'off'],
    ['retryBudget', 0.2],
    ['retryBudget', []],
    ['operations', null],
    ['operations', 'Api.get'],
    ['operations', []],
    ['clock', null],
    ['clock', {}],
    ['clock', { now: 1, setTimer: () => 0, clearTimer: () => {} }],
    ['clock', Date],
    ['sleep', null],
    ['sleep', 100],
    ['random', 0.5],
    ['random', null],
  ])('%s: %p throws ConfigError naming it', async (option, value) => {
    const error = configErrorFrom(build({ [option]: value }));
    expect(error.option).toBe(option);
    const text = shown(value);
    if (text !== undefined) expect(error.message).toContain(`got ${text}`);
    await expectCacheStillHits(current.utils);
  });
});

describe('an options bag that is not an object', () => {
  it.each([null, 'cacheSize=10', 42, [], true])(
    'new ExecutionUtils(%p) throws ConfigError',
    async (options) => {
      configErrorFrom(build(options));
      await expectCacheStillHits(current.utils);
    },
  );
});

describe('a nested option (retry budget, operation profile) of the wrong type or range', () => {
  it.each<[string, string, unknown]>([
    ['budget ratio -1', 'retryBudget.ratio', { retryBudget: { ratio: -1 } }],
    ['budget ratio NaN', 'retryBudget.ratio', { retryBudget: { ratio: NaN } }],
    ['budget ratio "0.1"', 'retryBudget.ratio', { retryBudget: { ratio: '0.1' } }],
    [
      'budget minPerSecond Infinity',
      'retryBudget.minPerSecond',
      { retryBudget: { minPerSecond: Infinity } },
    ],
    ['budget windowMs 0', 'retryBudget.windowMs', { retryBudget: { windowMs: 0 } }],
    ['budget windowMs null', 'retryBudget.windowMs', { retryBudget: { windowMs: null } }],
    ['profile null', 'operations.op', { operations: { op: null } }],
    ['profile a number', 'operations.op', { operations: { op: 5 } }],
    ['profile timeout -1', 'operations.op.timeout', { operations: { op: { timeout: -1 } } }],
    ['profile timeout NaN', 'operations.op.timeout', { operations: { op: { timeout: NaN } } }],
    ['profile timeout "2s"', 'operations.op.timeout', { operations: { op: { timeout: '2s' } } }],
    ['profile cacheTtl 1.5', 'operations.op.cacheTtl', { operations: { op: { cacheTtl: 1.5 } } }],
    [
      'profile cacheTtl Infinity',
      'operations.op.cacheTtl',
      { operations: { op: { cacheTtl: Infinity } } },
    ],
    ['profile retry null', 'operations.op.retry', { operations: { op: { retry: null } } }],
    ['profile retry "fast"', 'operations.op.retry', { operations: { op: { retry: 'fast' } } }],
    [
      'profile retry attempts 0',
      'operations.op.retry.attempts',
      { operations: { op: { retry: { attempts: 0 } } } },
    ],
    [
      'profile retry attempts 2.5',
      'operations.op.retry.attempts',
      { operations: { op: { retry: { attempts: 2.5 } } } },
    ],
    [
      'profile retry backoff -1',
      'operations.op.retry.backoff',
      { operations: { op: { retry: { backoff: -1 } } } },
    ],
    [
      'profile retry min > max',
      'operations.op.retry.minDelay',
      { operations: { op: { retry: { minDelay: 9, maxDelay: 1 } } } },
    ],
    [
      'profile retry jitter',
      'operations.op.retry.jitter',
      { operations: { op: { retry: { jitter: 'some' } } } },
    ],
    [
      'profile retry retryOn',
      'operations.op.retry.retryOn',
      { operations: { op: { retry: { retryOn: true } } } },
    ],
    [
      'profile retry maxElapsed -1',
      'operations.op.retry.maxElapsed',
      { operations: { op: { retry: { maxElapsed: -1 } } } },
    ],
    [
      'profile breaker null',
      'operations.op.circuitBreaker',
      { operations: { op: { circuitBreaker: null } } },
    ],
    [
      'profile breaker failures 0',
      'operations.op.circuitBreaker.consecutiveFailures',
      { operations: { op: { circuitBreaker: { consecutiveFailures: 0 } } } },
    ],
    [
      'profile breaker rate 1.5',
      'operations.op.circuitBreaker.failureRateThreshold',
      { operations: { op: { circuitBreaker: { failureRateThreshold: 1.5 } } } },
    ],
    [
      'profile breaker halfOpenAfter NaN',
      'operations.op.circuitBreaker.halfOpenAfter',
      { operations: { op: { circuitBreaker: { halfOpenAfter: NaN } } } },
    ],
    [
      'profile bulkhead maxConcurrent 0',
      'operations.op.bulkhead.maxConcurrent',
      { operations: { op: { bulkhead: { maxConcurrent: 0 } } } },
    ],
    [
      'profile bulkhead maxQueue -1',
      'operations.op.bulkhead.maxQueue',
      { operations: { op: { bulkhead: { maxQueue: -1 } } } },
    ],
    [
      'profile bulkhead maxConcurrent 2^31 + 0.5',
      'operations.op.bulkhead.maxConcurrent',
      { operations: { op: { bulkhead: { maxConcurrent: 2 ** 31 + 0.5 } } } },
    ],
    [
      'profile budget ratio -1',
      'operations.op.retryBudget.ratio',
      { operations: { op: { retryBudget: { ratio: -1 } } } },
    ],
    [
      'a "__proto__" profile (JSON)',
      'operations.__proto__.timeout',
      { operations: JSON.parse('{"__proto__": {"timeout": -1}}') },
    ],
    [
      'a "constructor" profile (JSON)',
      'operations.constructor.cacheTtl',
      { operations: JSON.parse('{"constructor": {"cacheTtl": -1}}') },
    ],
  ])('%s throws ConfigError naming %s', async (_, option, options) => {
    expect(configErrorFrom(build(options)).option).toBe(option);
    expectNoPrototypePollution();
    await expectCacheStillHits(current.utils);
  });
});

describe('edge values the rules accept', () => {
  it.each<[string, ExecutionUtilsOptions]>([
    ['cacheSize 0 (caching off)', { cacheSize: 0 }],
    ['cacheSize 1', { cacheSize: 1 }],
    ['cacheTtl 0 (never expires)', { cacheTtl: 0 }],
    ['cacheTtl 2^31 ms', { cacheTtl: 2 ** 31 }],
    ['cacheTtl 2^53 ms', { cacheTtl: 2 ** 53 }],
    ['retryAttempts 2^31', { retryAttempts: 2 ** 31 }],
    ['retryMaxDelay 3e9 ms', { retryMaxDelay: 3e9 }],
    ['defaultTimeout 0 (no limit)', { defaultTimeout: 0 }],
    ['defaultTimeout Infinity (no limit)', { defaultTimeout: Infinity }],
    ['defaultTimeout 2^31 ms', { defaultTimeout: 2 ** 31 }],
    ['defaultTimeout 0.5 ms', { defaultTimeout: 0.5 }],
    ['options passed as undefined', { cacheSize: undefined, cacheTtl: undefined }],
    [
      'a "__proto__" profile (JSON) with good values',
      { operations: JSON.parse('{"__proto__": {"timeout": 5}}') },
    ],
  ])('%s is accepted and the new service caches', async (_, options) => {
    const { utils } = rig(options);
    expectNoPrototypePollution();
    if (utils.options.cacheSize === 0) {
      utils.addToCache('k', 1);
      expect(utils.getFromCache('k')).toBeUndefined();
    } else {
      await expectCacheStillHits(utils);
    }
  });

  it('keeps an entry with a TTL past 2^31 ms until that TTL, not ~1 ms', async () => {
    const { utils, clock } = rig({ cacheTtl: 3e9 });
    utils.addToCache('k', 'v');
    await clock.advance(2 ** 31);
    expect(utils.getFromCache('k')).toBe('v');
    await clock.advance(3e9 - 2 ** 31);
    expect(utils.getFromCache('k')).toBeUndefined();
  });

  it('reads a "__proto__" operation profile as a profile of that name, not as a prototype', () => {
    const { utils } = rig({ operations: JSON.parse('{"__proto__": {"timeout": 5}}') });
    expect(Object.keys(utils.options.operations)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(utils.options.operations)).toBe(Object.prototype);
    expectNoPrototypePollution();
  });
});

describe('ExecutionUtils.fromEnv: a bad variable (durations in seconds)', () => {
  it.each<[string, string]>([
    ['EXECUTION_CACHE_SIZE', '-1'],
    ['EXECUTION_CACHE_SIZE', '1.5'],
    ['EXECUTION_CACHE_SIZE', 'abc'],
    ['EXECUTION_CACHE_SIZE', 'NaN'],
    ['EXECUTION_CACHE_SIZE', 'Infinity'],
    ['EXECUTION_CACHE_SIZE', '1e8'],
    ['EXECUTION_CACHE_SIZE', '1e12'],
    ['EXECUTION_CACHE_SIZE', '2147483648'],
    ['EXECUTION_CACHE_SIZE', '100 entries'],
    ['EXECUTION_CACHE_TTL', '-3'],
    ['EXECUTION_CACHE_TTL', '0.0004'],
    ['EXECUTION_CACHE_TTL', '1.0005'],
    ['EXECUTION_CACHE_TTL', 'NaN'],
    ['EXECUTION_CACHE_TTL', 'Infinity'],
    ['EXECUTION_CACHE_TTL', '1e400'],
    ['EXECUTION_CACHE_TTL', '60s'],
    ['EXECUTION_CACHE_TTL', 'one hour'],
    ['EXECUTION_RETRY_ATTEMPTS', '0'],
    ['EXECUTION_RETRY_ATTEMPTS', '-2'],
    ['EXECUTION_RETRY_ATTEMPTS', '2.5'],
    ['EXECUTION_RETRY_ATTEMPTS', 'three'],
    ['EXECUTION_RETRY_ATTEMPTS', 'Infinity'],
    ['EXECUTION_RETRY_BACKOFF', '-1'],
    ['EXECUTION_RETRY_BACKOFF', 'Infinity'],
    ['EXECUTION_RETRY_BACKOFF', 'NaN'],
    ['EXECUTION_RETRY_BACKOFF', '1s'],
    ['EXECUTION_DEFAULT_TIMEOUT', '-1'],
    ['EXECUTION_DEFAULT_TIMEOUT', '-Infinity'],
    ['EXECUTION_DEFAULT_TIMEOUT', 'NaN'],
    ['EXECUTION_DEFAULT_TIMEOUT', '30 seconds'],
  ])('%s=%p throws ConfigError naming the variable and quoting its text', async (variable, raw) => {
    const error = configErrorFrom(() => ExecutionUtils.fromEnv({ [variable]: raw }));
    expect(error.option).toBe(variable);
    expect(error.message).toContain(`got '${raw}'`);
    await expectCacheStillHits(current.utils);
  });

  it('quotes the seconds the variable holds, never the milliseconds they became', () => {
    const error = configErrorFrom(() => ExecutionUtils.fromEnv({ EXECUTION_CACHE_TTL: '-3' }));
    expect(error.message).not.toContain('3000');
  });

  it('quotes the trimmed text of a padded variable', () => {
    const error = configErrorFrom(() => ExecutionUtils.fromEnv({ EXECUTION_CACHE_SIZE: ' -1 ' }));
    expect(error.message).toContain(`got '-1'`);
  });

  it.each<[string, string, ExecutionUtilsOptions]>([
    ['cacheSize -1', 'cacheSize', { cacheSize: -1 }],
    ['cacheTtl 1.5', 'cacheTtl', { cacheTtl: 1.5 }],
    ['defaultTimeout NaN', 'defaultTimeout', { defaultTimeout: NaN }],
  ])('an override of %s throws ConfigError naming %s', (_, option, overrides) => {
    const env = { EXECUTION_CACHE_SIZE: '10' };
    expect(configErrorFrom(() => ExecutionUtils.fromEnv(env, overrides)).option).toBe(option);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'EXECUTION_CACHE_SIZE=10'],
    ['a number', 42],
  ])('an environment that is %s throws ConfigError, not a TypeError', async (_, env) => {
    configErrorFrom(() => ExecutionUtils.fromEnv(untyped(env)));
    await expectCacheStillHits(current.utils);
  });

  it.each<[string, unknown]>([
    ['EXECUTION_CACHE_SIZE', 10],
    ['EXECUTION_CACHE_TTL', 60],
    ['EXECUTION_RETRY_ATTEMPTS', true],
    ['EXECUTION_DEFAULT_TIMEOUT', {}],
  ])(
    '%s set to a non-string %p throws ConfigError naming it, not a TypeError',
    (variable, value) => {
      const error = configErrorFrom(() => ExecutionUtils.fromEnv(untyped({ [variable]: value })));
      expect(error.option).toBe(variable);
    },
  );
});

describe('ExecutionUtils.fromEnv: values the rules accept', () => {
  it.each<[string, string, keyof ExecutionUtilsOptions, unknown]>([
    ['EXECUTION_CACHE_SIZE', '0', 'cacheSize', 0],
    ['EXECUTION_CACHE_SIZE', ' 250 ', 'cacheSize', 250],
    ['EXECUTION_CACHE_SIZE', '', 'cacheSize', 100],
    ['EXECUTION_CACHE_SIZE', '   ', 'cacheSize', 100],
    ['EXECUTION_CACHE_TTL', '1.5', 'cacheTtl', 1500],
    ['EXECUTION_CACHE_TTL', '0.001', 'cacheTtl', 1],
    ['EXECUTION_CACHE_TTL', '0', 'cacheTtl', 0],
    ['EXECUTION_CACHE_TTL', '3000000', 'cacheTtl', 3e9],
    ['EXECUTION_RETRY_ATTEMPTS', '1', 'retryAttempts', 1],
    ['EXECUTION_RETRY_BACKOFF', '0.25', 'retryBackoff', 250],
    ['EXECUTION_DEFAULT_TIMEOUT', '0', 'defaultTimeout', 0],
    ['EXECUTION_DEFAULT_TIMEOUT', 'Infinity', 'defaultTimeout', Infinity],
    ['EXECUTION_DEFAULT_TIMEOUT', '2147483.648', 'defaultTimeout', 2 ** 31],
  ])('%s=%p sets %s to %p', (variable, raw, option, expected) => {
    const utils = ExecutionUtils.fromEnv({ [variable]: raw }, { clock: new ManualClock() });
    expect(utils.options[option as keyof typeof utils.options]).toBe(expected);
  });
});
