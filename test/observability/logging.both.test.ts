import { Cached, ExecutionUtils, Retry, runWithContext, type Logger } from '../../src';
import { EventBus } from '../../src/observability/events';
import { subscribeLogger } from '../../src/observability/logging';
import { configErrorOf, rig } from '../helpers';

class Shop {
  failures = 0;

  @Retry({ attempts: 3, backoff: 1_500, minDelay: 0 })
  async flaky(): Promise<string> {
    if (this.failures-- > 0) throw new Error('upstream 503');
    return 'ok';
  }

  @Retry({ attempts: 2, backoff: 250, minDelay: 0 })
  async rejectsAString(): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what this tests
    return Promise.reject('boom');
  }

  @Retry({ attempts: 2, backoff: 1_000, minDelay: 0 })
  async rejectsAnOddValue(): Promise<string> {
    return Promise.reject(Object.create(null));
  }

  @Cached()
  async price(id: string): Promise<string> {
    return `price-${id}`;
  }

  @Cached()
  async render(template: () => string): Promise<string> {
    return template();
  }

  @Cached({ tenant: 'required' })
  async mine(id: string): Promise<string> {
    return `mine-${id}`;
  }
}

/** A logger that records every line, by level. */
function fakeLogger(): Logger & { lines: [level: string, line: string][] } {
  const lines: [string, string][] = [];
  return {
    lines,
    warn: (line: string) => void lines.push(['warn', line]),
    error: (line: string) => void lines.push(['error', line]),
    debug: (line: string) => void lines.push(['debug', line]),
  };
}

describe('the logger option (both decorator standards)', () => {
  it("logs each retry at warn with the original's line, delay in seconds, then the give-up at error", async () => {
    const logger = fakeLogger();
    rig({ logger });
    const shop = new Shop();
    shop.failures = 5;
    await expect(shop.flaky()).rejects.toThrow('upstream 503');
    expect(logger.lines).toEqual([
      ['warn', 'Retry 1/3 for Shop.flaky after 1.5s: upstream 503'],
      ['warn', 'Retry 2/3 for Shop.flaky after 3s: upstream 503'],
      ['error', 'Giving up Shop.flaky after 3 attempts: upstream 503'],
    ]);
  });

  it('logs only the retries of a call that recovers', async () => {
    const logger = fakeLogger();
    rig({ logger });
    const shop = new Shop();
    shop.failures = 1;
    await expect(shop.flaky()).resolves.toBe('ok');
    expect(logger.lines).toEqual([['warn', 'Retry 1/3 for Shop.flaky after 1.5s: upstream 503']]);
  });

  it('prints a rejection that is not an Error as it is', async () => {
    const logger = fakeLogger();
    rig({ logger });
    await expect(new Shop().rejectsAString()).rejects.toBe('boom');
    expect(logger.lines).toEqual([
      ['warn', 'Retry 1/2 for Shop.rejectsAString after 0.25s: boom'],
      ['error', 'Giving up Shop.rejectsAString after 2 attempts: boom'],
    ]);
  });

  it('names a rejection value that cannot even be printed by its type', async () => {
    const logger = fakeLogger();
    rig({ logger });
    await expect(new Shop().rejectsAnOddValue()).rejects.toBeDefined();
    expect(logger.lines).toEqual([
      ['warn', 'Retry 1/2 for Shop.rejectsAnOddValue after 1s: [object Object]'],
      ['error', 'Giving up Shop.rejectsAnOddValue after 2 attempts: [object Object]'],
    ]);
  });

  it('writes no give-up line for a first error not worth a retry (no line per refusal in an outage)', async () => {
    const logger = fakeLogger();
    const { utils } = rig({ logger });
    const once = utils.createRetryStrategy('Payments.charge', { retryOn: () => false })(
      async () => {
        throw new Error('card declined');
      },
    );
    await expect(once()).rejects.toThrow('card declined');
    expect(logger.lines).toEqual([]);
  });

  it('warns once per operation that calls run uncached because their arguments cannot be keyed', async () => {
    const logger = fakeLogger();
    rig({ logger });
    const shop = new Shop();
    await shop.render(() => 'a');
    await shop.render(() => 'b');
    expect(logger.lines).toEqual([
      [
        'warn',
        'Calls of Shop.render run uncached: their arguments cannot be keyed (a function, symbol, ' +
          'promise, circular structure or class instance without toJSON(), or a key function ' +
          'that threw); give @Cached a `key` function that returns plain data, e.g. ' +
          '{ key: ([id]) => id }',
      ],
    ]);
  });

  it('notes once, at debug, that calls without a required tenant run uncached', async () => {
    const logger = fakeLogger();
    rig({ logger });
    const shop = new Shop();
    await shop.mine('a');
    await shop.mine('a');
    await runWithContext({ userId: 'alice' }, () => shop.mine('a'));
    expect(logger.lines).toEqual([
      [
        'debug',
        "Calls of Shop.mine without a userId run uncached (tenant: 'required'); " +
          'call it inside runWithContext({ userId }) to cache them',
      ],
    ]);
  });

  it('logs nothing for hits and misses', async () => {
    const logger = fakeLogger();
    rig({ logger });
    const shop = new Shop();
    await shop.price('a');
    await shop.price('a');
    expect(logger.lines).toEqual([]);
  });

  it('calls the logger as a method, so pino-style loggers keep their `this`', async () => {
    const lines: string[] = [];
    class ChildLogger {
      constructor(private readonly prefix: string) {}
      warn(line: string): void {
        lines.push(`${this.prefix} ${line}`);
      }
      error(line: string): void {
        lines.push(`${this.prefix} ${line}`);
      }
      debug(): void {}
    }
    rig({ logger: new ChildLogger('[shop]') });
    const shop = new Shop();
    shop.failures = 1;
    await shop.flaky();
    expect(lines).toEqual(['[shop] Retry 1/3 for Shop.flaky after 1.5s: upstream 503']);
  });

  it('never fails a call because the logger throws', async () => {
    const broken = (): void => {
      throw new Error('disk full');
    };
    rig({ logger: { warn: broken, error: broken, debug: broken } });
    const shop = new Shop();
    shop.failures = 1;
    await expect(shop.flaky()).resolves.toBe('ok');
  });

  it('accepts console', () => {
    expect(() => new ExecutionUtils({ logger: console })).not.toThrow();
  });

  it.each([
    ['a string', 'console'],
    ['null', null],
    ['an object without debug', { warn: () => {}, error: () => {} }],
    ['an object whose warn is not a function', { warn: 'yes', error: () => {}, debug: () => {} }],
  ])('refuses %s with a ConfigError naming the option', (_, logger) => {
    const error = configErrorOf(() => new ExecutionUtils({ logger: logger as unknown as Logger }));
    expect(error.option).toBe('logger');
    expect(error.message).toContain('console or a pino-compatible logger');
  });
});

describe('the logger and the Redis tier', () => {
  /** A bus with a logger subscribed, as a service with `logger` and `redis` has. */
  function logged(): { bus: EventBus; lines: [string, string][] } {
    const bus = new EventBus();
    const logger = fakeLogger();
    subscribeLogger(bus, logger);
    return { bus, lines: logger.lines };
  }
  const refused = new Error('connect ECONNREFUSED 10.0.0.5:6379');

  it('warns of a failed Redis command with its cause', () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    expect(lines).toEqual([
      [
        'warn',
        'Redis claim failed (error): connect ECONNREFUSED 10.0.0.5:6379; ' +
          'calls go on without the Redis tier until it answers',
      ],
    ]);
  });

  it('does not repeat the line while the cause stays the same (one line per outage, not per call)', () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    bus.emit('remoteError', { command: 'write', reason: 'error', error: refused });
    expect(lines).toHaveLength(1);
  });

  it('warns again when the cause changes', () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    const timeout = new Error('Redis did not answer within 100 ms');
    bus.emit('remoteError', { command: 'claim', reason: 'timeout', error: timeout });
    expect(lines.map(([, line]) => line)).toEqual([
      expect.stringContaining('ECONNREFUSED'),
      expect.stringContaining('(timeout): Redis did not answer within 100 ms'),
    ]);
  });

  it("warns again of the same cause once the tier's breaker has closed in between", () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    bus.emit('breakerStateChange', { breaker: 'redis:app', from: 'half-open', to: 'closed' });
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    expect(lines).toHaveLength(2);
  });

  it("is not reset by another breaker's closing", () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    bus.emit('breakerStateChange', { breaker: 'Payments.charge', from: 'half-open', to: 'closed' });
    bus.emit('remoteError', { command: 'claim', reason: 'error', error: refused });
    expect(lines).toHaveLength(1);
  });

  it('writes no line for calls that skip Redis while its breaker is open', () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'claim', reason: 'breaker-open' });
    expect(lines).toEqual([]);
  });

  it('names what went wrong when the report carries no error (undecodable data)', () => {
    const { bus, lines } = logged();
    bus.emit('remoteError', { command: 'read', reason: 'decode' });
    expect(lines).toEqual([
      [
        'warn',
        'Redis read failed (decode): an entry in Redis could not be decoded; ' +
          'it is read as a miss and overwritten',
      ],
    ]);
  });
});
