import { ExecutionUtils, type ExecutionUtilsOptions } from '../src';
import { configErrorOf } from './helpers';

describe('ExecutionUtils options', () => {
  it('applies the documented defaults when no option is given', () => {
    expect(new ExecutionUtils().options).toEqual({
      cacheSize: 100,
      cacheTtl: 3_600_000,
      l1Size: 100,
      l1Ttl: Infinity,
      tenant: 'optional',
      refreshAhead: false,
      cacheAdmission: 'lru',
      retryAttempts: 3,
      retryBackoff: 1000,
      retryMinDelay: 1000,
      retryMaxDelay: 10_000,
      retryJitter: 'equal',
      defaultTimeout: 30_000,
      operations: {},
    });
  });

  it('keeps the default for an option passed as undefined', () => {
    expect(
      new ExecutionUtils({ cacheSize: undefined, defaultTimeout: undefined }).options,
    ).toMatchObject({ cacheSize: 100, defaultTimeout: 30_000 });
  });

  it('keeps the valid options it is given', () => {
    const options: ExecutionUtilsOptions = {
      cacheSize: 0,
      cacheTtl: 0,
      retryAttempts: 1,
      retryBackoff: 0,
      retryMinDelay: 5,
      retryMaxDelay: 5,
      retryJitter: 'full',
      defaultTimeout: 0.5,
      tenant: 'required',
      refreshAhead: { beta: 2 },
      cacheAdmission: 'tinylfu',
    };
    expect(new ExecutionUtils(options).options).toEqual({
      ...options,
      l1Size: 0,
      l1Ttl: Infinity,
      operations: {},
    });
  });

  it('throws ConfigError with a stable name and the option name as its message prefix', () => {
    const error = configErrorOf(() => new ExecutionUtils({ cacheSize: -1 }));
    expect(error.name).toBe('ConfigError');
    expect(error.option).toBe('cacheSize');
    expect(error.message).toMatch(/^cacheSize: /);
  });

  it.each<[string, ExecutionUtilsOptions, string, string]>([
    ['negative cacheSize', { cacheSize: -1 }, 'cacheSize', '-1'],
    ['NaN cacheSize', { cacheSize: NaN }, 'cacheSize', 'NaN'],
    ['non-integer cacheSize', { cacheSize: 1.5 }, 'cacheSize', '1.5'],
    ['negative cacheTtl', { cacheTtl: -5 }, 'cacheTtl', '-5'],
    ['NaN cacheTtl', { cacheTtl: NaN }, 'cacheTtl', 'NaN'],
    ['retryAttempts 0', { retryAttempts: 0 }, 'retryAttempts', '0'],
    ['retryAttempts 1.5', { retryAttempts: 1.5 }, 'retryAttempts', '1.5'],
    ['negative retryBackoff', { retryBackoff: -100 }, 'retryBackoff', '-100'],
    [
      'retryMinDelay above retryMaxDelay',
      { retryMinDelay: 2000, retryMaxDelay: 1500 },
      'retryMinDelay',
      '2000',
    ],
    [
      'unknown retryJitter',
      { retryJitter: 'random' as ExecutionUtilsOptions['retryJitter'] },
      'retryJitter',
      'random',
    ],
    ['defaultTimeout -1', { defaultTimeout: -1 }, 'defaultTimeout', '-1'],
    ['defaultTimeout NaN', { defaultTimeout: NaN }, 'defaultTimeout', 'NaN'],
    [
      'operation profile timeout -1',
      { operations: { op: { timeout: -1 } } },
      'operations.op.timeout',
      '-1',
    ],
    ['cacheSize past the ceiling', { cacheSize: 10_000_001 }, 'cacheSize', '10000001'],
    ['cacheSize 1e12', { cacheSize: 1e12 }, 'cacheSize', '1000000000000'],
    ['fractional cacheTtl', { cacheTtl: 1.5 }, 'cacheTtl', '1.5'],
    [
      'unknown tenant mode',
      { tenant: 'none' as ExecutionUtilsOptions['tenant'] },
      'tenant',
      'none',
    ],
    [
      'string defaultTimeout',
      { defaultTimeout: '100' as unknown as number },
      'defaultTimeout',
      "'100'",
    ],
  ])('rejects %s with ConfigError naming the option and the value', (_, options, option, bad) => {
    const error = configErrorOf(() => new ExecutionUtils(options));
    expect(error.option).toBe(option);
    expect(error.message).toContain(bad);
  });

  it('names both delays in the message when retryMinDelay exceeds retryMaxDelay', () => {
    const error = configErrorOf(
      () => new ExecutionUtils({ retryMinDelay: 2000, retryMaxDelay: 1500 }),
    );
    expect(error.message).toContain('1500');
  });
});

describe('ExecutionUtils.fromEnv', () => {
  it('keeps every default with an empty environment', () => {
    expect(ExecutionUtils.fromEnv({}).options).toEqual(new ExecutionUtils().options);
  });

  it('keeps the defaults for variables set to empty or blank strings', () => {
    const utils = ExecutionUtils.fromEnv({
      EXECUTION_CACHE_SIZE: '',
      EXECUTION_CACHE_TTL: '  ',
      EXECUTION_RETRY_ATTEMPTS: undefined,
      EXECUTION_RETRY_BACKOFF: '',
      EXECUTION_DEFAULT_TIMEOUT: '',
    });
    expect(utils.options).toEqual(new ExecutionUtils().options);
  });

  it('reads EXECUTION_CACHE_SIZE as a count', () => {
    expect(ExecutionUtils.fromEnv({ EXECUTION_CACHE_SIZE: '250' }).options.cacheSize).toBe(250);
  });

  it('reads EXECUTION_CACHE_TTL in seconds and converts it to ms', () => {
    expect(ExecutionUtils.fromEnv({ EXECUTION_CACHE_TTL: '60' }).options.cacheTtl).toBe(60_000);
  });

  it('reads EXECUTION_RETRY_ATTEMPTS as a count', () => {
    expect(ExecutionUtils.fromEnv({ EXECUTION_RETRY_ATTEMPTS: '5' }).options.retryAttempts).toBe(5);
  });

  it('reads EXECUTION_RETRY_BACKOFF in seconds and converts it to ms', () => {
    const utils = ExecutionUtils.fromEnv({ EXECUTION_RETRY_BACKOFF: '2' });
    expect(utils.options.retryBackoff).toBe(2000);
  });

  it('reads EXECUTION_DEFAULT_TIMEOUT in seconds and converts it to ms', () => {
    const utils = ExecutionUtils.fromEnv({ EXECUTION_DEFAULT_TIMEOUT: '45' });
    expect(utils.options.defaultTimeout).toBe(45_000);
  });

  it('accepts fractional seconds: EXECUTION_DEFAULT_TIMEOUT 1.5 is 1500 ms', () => {
    const utils = ExecutionUtils.fromEnv({ EXECUTION_DEFAULT_TIMEOUT: '1.5' });
    expect(utils.options.defaultTimeout).toBe(1500);
  });

  it('reads all five variables together and leaves the other options at their defaults', () => {
    const utils = ExecutionUtils.fromEnv({
      EXECUTION_CACHE_SIZE: '10',
      EXECUTION_CACHE_TTL: '0',
      EXECUTION_RETRY_ATTEMPTS: '1',
      EXECUTION_RETRY_BACKOFF: '0.25',
      EXECUTION_DEFAULT_TIMEOUT: '3',
    });
    expect(utils.options).toEqual({
      cacheSize: 10,
      cacheTtl: 0,
      l1Size: 10,
      l1Ttl: Infinity,
      retryAttempts: 1,
      retryBackoff: 250,
      retryMinDelay: 1000,
      retryMaxDelay: 10_000,
      retryJitter: 'equal',
      defaultTimeout: 3000,
      tenant: 'optional',
      refreshAhead: false,
      cacheAdmission: 'lru',
      operations: {},
    });
  });

  it.each<[string, string]>([
    ['EXECUTION_CACHE_SIZE', 'abc'],
    ['EXECUTION_CACHE_SIZE', '-1'],
    ['EXECUTION_CACHE_SIZE', '2.5'],
    ['EXECUTION_CACHE_TTL', 'abc'],
    ['EXECUTION_CACHE_TTL', '-1'],
    ['EXECUTION_RETRY_ATTEMPTS', 'abc'],
    ['EXECUTION_RETRY_ATTEMPTS', '-1'],
    ['EXECUTION_RETRY_ATTEMPTS', '0'],
    ['EXECUTION_RETRY_BACKOFF', 'abc'],
    ['EXECUTION_RETRY_BACKOFF', '-1'],
    ['EXECUTION_DEFAULT_TIMEOUT', 'abc'],
    ['EXECUTION_DEFAULT_TIMEOUT', '-1'],
    ['EXECUTION_CACHE_SIZE', '1e8'],
    ['EXECUTION_CACHE_TTL', '0.0004'],
  ])('rejects %s=%p with ConfigError naming the variable and the value', (variable, raw) => {
    const error = configErrorOf(() => ExecutionUtils.fromEnv({ [variable]: raw }));
    expect(error.option).toBe(variable);
    expect(error.message).toContain(raw);
  });

  it('reports a bad duration in the seconds it was given, not in ms', () => {
    const error = configErrorOf(() => ExecutionUtils.fromEnv({ EXECUTION_CACHE_TTL: '-3' }));
    expect(error.message).toContain("got '-3'");
    expect(error.message).not.toContain('3000');
    expect(error.message).toContain('seconds');
  });

  it('reads EXECUTION_DEFAULT_TIMEOUT=0 as no time limit', () => {
    expect(ExecutionUtils.fromEnv({ EXECUTION_DEFAULT_TIMEOUT: '0' }).options.defaultTimeout).toBe(
      0,
    );
  });

  it('reads EXECUTION_CACHE_TTL=0.001 as 1 ms despite float noise', () => {
    expect(ExecutionUtils.fromEnv({ EXECUTION_CACHE_TTL: '0.001' }).options.cacheTtl).toBe(1);
  });

  it('lets overrides beat the environment', () => {
    const utils = ExecutionUtils.fromEnv(
      { EXECUTION_CACHE_SIZE: '10', EXECUTION_DEFAULT_TIMEOUT: '3' },
      { cacheSize: 20 },
    );
    expect(utils.options).toMatchObject({ cacheSize: 20, defaultTimeout: 3000 });
  });

  it('keeps the environment value when an override is undefined', () => {
    const utils = ExecutionUtils.fromEnv({ EXECUTION_CACHE_SIZE: '5' }, { cacheSize: undefined });
    expect(utils.options.cacheSize).toBe(5);
  });

  it('validates overrides like constructor options', () => {
    const error = configErrorOf(() =>
      ExecutionUtils.fromEnv({ EXECUTION_RETRY_ATTEMPTS: '2' }, { retryAttempts: 0 }),
    );
    expect(error.option).toBe('retryAttempts');
  });

  it('reads process.env when no environment is passed', () => {
    const saved = process.env.EXECUTION_CACHE_SIZE;
    process.env.EXECUTION_CACHE_SIZE = '7';
    try {
      expect(ExecutionUtils.fromEnv().options.cacheSize).toBe(7);
    } finally {
      if (saved === undefined) delete process.env.EXECUTION_CACHE_SIZE;
      else process.env.EXECUTION_CACHE_SIZE = saved;
    }
  });
});

describe('unknown option keys (from JavaScript, or through a cast)', () => {
  const untyped = (value: unknown): ExecutionUtilsOptions => value as ExecutionUtilsOptions;

  it.each<[string, unknown, string, string]>([
    ['a service option', { cacheTTL: 5 }, 'cacheTTL', 'cacheTtl'],
    ['an l1 option', { l1: { sise: 5 } }, 'l1.sise', 'size'],
    ['a retryBudget option', { retryBudget: { ration: 0.1 } }, 'retryBudget.ration', 'ratio'],
    [
      'an operation profile option',
      { operations: { 'Api.get': { cacheTTL: 5 } } },
      'operations.Api.get.cacheTTL',
      'cacheTtl',
    ],
    [
      "a profile's retry option",
      { operations: { api: { retry: { attempt: 2 } } } },
      'operations.api.retry.attempt',
      'attempts',
    ],
    [
      "a profile's circuitBreaker option",
      { operations: { api: { circuitBreaker: { consecutiveFailure: 2 } } } },
      'operations.api.circuitBreaker.consecutiveFailure',
      'consecutiveFailures',
    ],
    [
      "a profile's bulkhead option",
      { operations: { api: { bulkhead: { maxConcurent: 2 } } } },
      'operations.api.bulkhead.maxConcurent',
      'maxConcurrent',
    ],
    [
      "a profile's retryBudget option",
      { operations: { api: { retryBudget: { windowMS: 2 } } } },
      'operations.api.retryBudget.windowMS',
      'windowMs',
    ],
    [
      'a tracing option',
      { tracing: { opentelemetry: true } },
      'tracing.opentelemetry',
      'openTelemetry',
    ],
    [
      'an OpenTelemetry option',
      { tracing: { openTelemetry: { includeTenants: true } } },
      'tracing.openTelemetry.includeTenants',
      'includeTenant',
    ],
    ['a metrics option', { metrics: { prefx: 'app_' } }, 'metrics.prefx', 'prefix'],
  ])('refuses %s, naming the key and the closest known option', (_, options, option, closest) => {
    const error = configErrorOf(() => new ExecutionUtils(untyped(options)));
    expect(error.option).toBe(option);
    const key = option.slice(option.lastIndexOf('.') + 1);
    expect(error.message).toContain(`unknown option '${key}'; did you mean '${closest}'?`);
  });

  it('takes any operation name as a profile (the keys of `operations` are names, not options)', () => {
    expect(
      () => new ExecutionUtils({ operations: { 'Api.get': {}, anything: { timeout: 5 } } }),
    ).not.toThrow();
  });
});
