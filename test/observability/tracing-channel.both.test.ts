import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  Bulkhead,
  CALL_CHANNEL_NAME,
  Cached,
  CachedBatch,
  Retry,
  runWithContext,
  type CallTraceContext,
} from '../../src';
import { callTraces } from '../../src/observability/call-trace';
import { deferred, rig } from '../helpers';

const channel = diagnosticsChannel.tracingChannel<unknown, CallTraceContext>(
  'execution-utils:call',
);

class Shop {
  calls = 0;
  failures = 0;
  gate: Promise<void> | undefined;
  seen: unknown[] = [];

  @Cached()
  async price(id: string): Promise<string> {
    this.calls++;
    if (this.gate) await this.gate;
    return `price-${id}`;
  }

  @Cached()
  @Retry({ attempts: 3, backoff: 10, minDelay: 10 })
  async flaky(id: string): Promise<string> {
    this.calls++;
    if (this.failures-- > 0) throw new Error('transient');
    return `ok-${id}`;
  }

  @Cached()
  label(id: string): string {
    this.calls++;
    if (id === 'bad') throw new Error('no label');
    return `label-${id}`;
  }

  @Cached({ ttl: 1_000, staleWhileRevalidate: 5_000 })
  async quote(symbol: string): Promise<string> {
    this.calls++;
    return `${symbol}@${this.calls}`;
  }

  @Cached({ ttl: 1_000, staleIfError: 10_000 })
  async resilient(symbol: string): Promise<string> {
    this.calls++;
    if (this.failures-- > 0) throw new Error('feed down');
    return `${symbol}@${this.calls}`;
  }

  @Bulkhead({ maxConcurrent: 1, maxQueue: 0 })
  async exclusive(gate: Promise<void>): Promise<string> {
    await gate;
    return 'done';
  }

  @Cached()
  async observed(store: AsyncLocalStorage<string>): Promise<void> {
    this.seen.push(store.getStore());
  }
}

type Event = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

/** Subscribes to the channel; records each event with a copy of the context at that moment. */
function subscribe(): { seen: [Event, CallTraceContext][]; stop: () => void } {
  const seen: [Event, CallTraceContext][] = [];
  const record = (event: Event) => (ctx: CallTraceContext) => seen.push([event, { ...ctx }]);
  const handlers = {
    start: record('start'),
    end: record('end'),
    asyncStart: record('asyncStart'),
    asyncEnd: record('asyncEnd'),
    error: record('error'),
  };
  channel.subscribe(handlers);
  return { seen, stop: () => channel.unsubscribe(handlers) };
}

/** The events of the calls of `operation`, names only. */
const names = (seen: [Event, CallTraceContext][]): Event[] => seen.map(([event]) => event);
/** The context as the last event saw it. */
const last = (seen: [Event, CallTraceContext][]): CallTraceContext => seen[seen.length - 1][1];

describe('the execution-utils:call tracing channel (both decorator standards)', () => {
  let tracing: ReturnType<typeof subscribe> | undefined;
  afterEach(() => {
    tracing?.stop();
    tracing = undefined;
    jest.restoreAllMocks();
  });

  it('traces one call per @CachedBatch caller and one per method call of the batch', async () => {
    rig();
    class Users {
      @CachedBatch({ name: 'users' })
      async getMany(ids: readonly string[]): Promise<string[]> {
        return ids.map((id) => `user-${id}`);
      }
    }
    const users = new Users();
    tracing = subscribe();
    await Promise.all([users.getMany(['a']), users.getMany(['b', 'a'])]);
    const starts = tracing.seen.filter(([event]) => event === 'start').map(([, ctx]) => ctx);
    expect(starts).toHaveLength(3);
    expect(starts.every((ctx) => ctx.operation === 'users')).toBe(true);
    const ends = tracing.seen.filter(([event]) => event === 'asyncEnd');
    expect(ends).toHaveLength(3);
  });

  it('is named execution-utils:call', () => {
    expect(CALL_CHANNEL_NAME).toBe('execution-utils:call');
  });

  it('publishes a miss: start, end, then asyncStart and asyncEnd with one attempt', async () => {
    rig();
    const shop = new Shop();
    tracing = subscribe();
    await expect(shop.price('a')).resolves.toBe('price-a');
    expect(names(tracing.seen)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(tracing.seen[0][1]).toEqual({ operation: 'Shop.price', cache: 'none', attempts: 0 });
    expect(last(tracing.seen)).toEqual({
      operation: 'Shop.price',
      cache: 'miss',
      attempts: 1,
      result: 'price-a',
    });
  });

  it('publishes a hit with no attempt', async () => {
    rig();
    const shop = new Shop();
    await shop.price('a');
    tracing = subscribe();
    await shop.price('a');
    expect(names(tracing.seen)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(tracing.seen[1][1]).toMatchObject({ cache: 'hit', attempts: 0 });
    expect(last(tracing.seen)).toEqual({
      operation: 'Shop.price',
      cache: 'hit',
      attempts: 0,
      result: 'price-a',
    });
  });

  it('counts every attempt of a retried call', async () => {
    rig();
    const shop = new Shop();
    shop.failures = 2;
    tracing = subscribe();
    await expect(shop.flaky('x')).resolves.toBe('ok-x');
    expect(last(tracing.seen)).toEqual({
      operation: 'Shop.flaky',
      cache: 'miss',
      attempts: 3,
      result: 'ok-x',
    });
  });

  it('publishes a failing call on error, with its error and the attempts it made', async () => {
    rig();
    const shop = new Shop();
    shop.failures = 5;
    tracing = subscribe();
    await expect(shop.flaky('x')).rejects.toThrow('transient');
    expect(names(tracing.seen)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    const [, context] = tracing.seen[2];
    expect(context).toMatchObject({ operation: 'Shop.flaky', cache: 'miss', attempts: 3 });
    expect(context.error).toEqual(new Error('transient'));
  });

  it('marks a call that joined a load in flight as coalesced, with no attempt of its own', async () => {
    rig();
    const shop = new Shop();
    const gate = deferred<void>();
    shop.gate = gate.promise;
    tracing = subscribe();
    const first = shop.price('a');
    const second = shop.price('a');
    gate.resolve();
    await Promise.all([first, second]);
    const ends = tracing.seen.filter(([event]) => event === 'asyncEnd').map(([, ctx]) => ctx);
    expect(ends.map(({ cache, attempts }) => [cache, attempts])).toEqual([
      ['miss', 1],
      ['coalesced', 0],
    ]);
    expect(shop.calls).toBe(1);
  });

  it('marks a call whose arguments cannot be keyed as uncached', async () => {
    rig();
    const shop = new Shop();
    tracing = subscribe();
    await shop.observed(new AsyncLocalStorage<string>());
    expect(last(tracing.seen)).toMatchObject({ cache: 'uncached', attempts: 1 });
  });

  it('marks a stale entry as stale, and counts none of its background refresh', async () => {
    const { clock } = rig();
    const shop = new Shop();
    await shop.quote('ACME');
    await clock.advance(1_500);
    tracing = subscribe();
    await expect(shop.quote('ACME')).resolves.toBe('ACME@1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(shop.calls).toBe(2);
    const ends = tracing.seen.filter(([event]) => event === 'asyncEnd');
    expect(ends).toHaveLength(1);
    expect(ends[0][1]).toMatchObject({ cache: 'stale', attempts: 0 });
  });

  it('marks a failed load answered from a stale entry as stale, with the attempt it made', async () => {
    const { clock } = rig();
    const shop = new Shop();
    await shop.resilient('ACME');
    await clock.advance(1_500);
    shop.failures = 1;
    tracing = subscribe();
    await expect(shop.resilient('ACME')).resolves.toBe('ACME@1');
    expect(last(tracing.seen)).toMatchObject({ cache: 'stale', attempts: 1, result: 'ACME@1' });
  });

  it('counts no attempt for a call a full bulkhead refused', async () => {
    rig();
    const shop = new Shop();
    const gate = deferred<void>();
    const running = shop.exclusive(gate.promise);
    tracing = subscribe();
    await expect(shop.exclusive(gate.promise)).rejects.toThrow('is full');
    gate.resolve();
    await running;
    const refused = tracing.seen.find(([event]) => event === 'error')![1];
    expect(refused).toMatchObject({ operation: 'Shop.exclusive', cache: 'none', attempts: 0 });
  });

  it('traces a synchronous cached method with traceSync: it keeps returning its value', () => {
    rig();
    const shop = new Shop();
    tracing = subscribe();
    expect(shop.label('a')).toBe('label-a');
    expect(shop.label('a')).toBe('label-a');
    expect(names(tracing.seen)).toEqual(['start', 'end', 'start', 'end']);
    expect(tracing.seen[1][1]).toEqual({
      operation: 'Shop.label',
      cache: 'miss',
      attempts: 1,
      result: 'label-a',
    });
    expect(last(tracing.seen)).toMatchObject({ cache: 'hit', attempts: 0, result: 'label-a' });
  });

  it('publishes a synchronous throw on error, and rethrows it', () => {
    rig();
    const shop = new Shop();
    tracing = subscribe();
    expect(() => shop.label('bad')).toThrow('no label');
    expect(names(tracing.seen)).toEqual(['start', 'error', 'end']);
    expect(last(tracing.seen).error).toEqual(new Error('no label'));
  });

  it('publishes asyncStart and asyncEnd for a function not known to return a promise', async () => {
    const { utils } = rig();
    const lookup = utils.wrap((id: string) => Promise.resolve(`user-${id}`), {
      name: 'lookup',
      cache: true,
    });
    const failing = utils.wrap((): Promise<string> => Promise.reject(new Error('gone')), {
      name: 'failing',
      cache: true,
    });
    tracing = subscribe();
    await expect(lookup('1')).resolves.toBe('user-1');
    expect(names(tracing.seen)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(last(tracing.seen)).toMatchObject({ cache: 'miss', result: 'user-1' });
    tracing.seen.length = 0;
    await expect(failing()).rejects.toThrow('gone');
    expect(names(tracing.seen)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(last(tracing.seen).error).toEqual(new Error('gone'));
  });

  it('traces wrap() calls under their name', async () => {
    const { utils } = rig();
    const rates = utils.wrap(async (currency: string) => `${currency}:1.1`, {
      name: 'rates',
      cache: true,
    });
    tracing = subscribe();
    await rates('EUR');
    expect(last(tracing.seen)).toMatchObject({ operation: 'rates', cache: 'miss', attempts: 1 });
  });

  it('never carries a tenant id or an argument', async () => {
    rig();
    const shop = new Shop();
    tracing = subscribe();
    await runWithContext({ userId: 'alice', taskId: 'secret-task' }, () => shop.price('argument'));
    for (const [, ctx] of tracing.seen) {
      expect(Object.keys(ctx).sort()).toEqual(
        Object.keys(ctx).includes('result')
          ? ['attempts', 'cache', 'operation', 'result']
          : ['attempts', 'cache', 'operation'],
      );
      expect(JSON.stringify({ ...ctx, result: undefined })).not.toMatch(/alice|secret|argument/);
    }
  });

  it('runs the call inside the stores bound to its start channel (how APM tools propagate)', async () => {
    rig();
    const shop = new Shop();
    const store = new AsyncLocalStorage<string>();
    tracing = subscribe();
    channel.start.bindStore(store, (ctx) => `traced ${ctx.operation}`);
    try {
      await shop.observed(store);
    } finally {
      channel.start.unbindStore(store);
    }
    expect(shop.seen).toEqual(['traced Shop.observed']);
  });

  it('builds no context while nobody subscribes, and one per call once someone does', async () => {
    rig();
    const shop = new Shop();
    const create = jest.spyOn(callTraces, 'create');
    await shop.price('a');
    await shop.price('a');
    expect(create).not.toHaveBeenCalled();
    tracing = subscribe();
    await shop.price('a');
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('keeps publishing nothing once the subscriber leaves', async () => {
    rig();
    const shop = new Shop();
    tracing = subscribe();
    await shop.price('a');
    tracing.stop();
    const seen = tracing.seen.length;
    await shop.price('a');
    expect(tracing.seen).toHaveLength(seen);
  });
});
