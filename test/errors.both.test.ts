import {
  BulkheadRejectedError,
  CacheKeyError,
  CircuitOpenError,
  ConfigError,
  TimeoutError,
  UnencodableValueError,
} from '../src/errors';

describe('ConfigError', () => {
  it('names the option first in its message, and is never retried', () => {
    const error = new ConfigError('retryAttempts', 'must be an integer >= 1');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.option).toBe('retryAttempts');
    expect(error.message).toBe('retryAttempts: must be an integer >= 1');
    expect(error.retryable).toBe(false);
  });
});

describe('CacheKeyError', () => {
  it('is a TypeError naming the path and the fix, never retried', () => {
    const error = new CacheKeyError('args[1].cb', 'a function');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('CacheKeyError');
    expect(error.path).toBe('args[1].cb');
    expect(error.message).toContain('args[1].cb is a function');
    expect(error.message).toContain('`key` function');
    expect(error.retryable).toBe(false);
  });
});

describe('TimeoutError', () => {
  it('names the operation and the limit, and carries the cause it is given', () => {
    const cause = new Error('attempt 2 failed');
    const error = new TimeoutError('Repo.get', 250, cause);
    expect(error.name).toBe('TimeoutError');
    expect(error).toMatchObject({ operation: 'Repo.get', timeoutMs: 250 });
    expect(error.message).toContain('Repo.get timed out after 250 ms');
    expect(error.cause).toBe(cause);
  });

  it('has no cause when given none', () => {
    expect('cause' in new TimeoutError('Repo.get', 250)).toBe(false);
  });

  it('may be retried (a timeout is transient)', () => {
    expect((new TimeoutError('op', 1) as { retryable?: boolean }).retryable).toBeUndefined();
  });
});

describe('BulkheadRejectedError', () => {
  it('names the bulkhead and its limits, and is never retried', () => {
    const error = new BulkheadRejectedError('db', 4, 2);
    expect(error.name).toBe('BulkheadRejectedError');
    expect(error).toMatchObject({
      bulkhead: 'db',
      maxConcurrent: 4,
      maxQueue: 2,
      retryable: false,
    });
    expect(error.message).toContain("bulkhead 'db' is full: 4 calls running and 2 waiting");
  });
});

describe('CircuitOpenError', () => {
  it('says when to retry an open circuit, and is never retried itself', () => {
    const error = new CircuitOpenError('payments', 1_500);
    expect(error.name).toBe('CircuitOpenError');
    expect(error).toMatchObject({ circuit: 'payments', retryAfterMs: 1_500, retryable: false });
    expect(error.message).toContain('retry in 1500 ms');
  });

  it('says an isolated circuit waits for reset()', () => {
    expect(new CircuitOpenError('payments', Infinity).message).toContain(
      'isolated: it refuses every call until reset()',
    );
  });

  it('says a half-open circuit is waiting on its trial calls', () => {
    expect(new CircuitOpenError('payments', 0).message).toContain('half-open');
  });
});

describe('UnencodableValueError', () => {
  it('names the path and what to cache instead', () => {
    const error = new UnencodableValueError('value.items[2]', 'a function');
    expect(error.name).toBe('UnencodableValueError');
    expect(error.path).toBe('value.items[2]');
    expect(error.message).toContain('cannot store value.items[2] in the shared cache');
  });
});
