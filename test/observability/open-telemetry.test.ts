import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type ContextManager,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  CALL_CHANNEL_NAME,
  Cached,
  ExecutionUtils,
  Retry,
  runWithContext,
  type CallTraceContext,
  type ExecutionUtilsOptions,
} from '../../src';
import { VERSION } from '../../src/version';
import { configErrorOf, rig } from '../helpers';

/** What an OpenTelemetry SDK's context manager does: the active context follows async work. */
class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(_ctx: Context, target: T): T {
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

class Shop {
  failures = 0;

  @Cached()
  async price(id: string): Promise<string> {
    return `price-${id}`;
  }

  @Retry({ attempts: 3, backoff: 10, minDelay: 10 })
  async flaky(): Promise<string> {
    if (this.failures-- > 0) throw new Error('transient');
    return 'ok';
  }

  @Cached()
  label(id: string): string {
    if (id === 'bad') throw new Error('no label');
    return `label-${id}`;
  }
}

class Checkout {
  constructor(private readonly shop: Shop) {}

  @Retry({ attempts: 2 })
  async total(id: string): Promise<string> {
    const span = trace.getTracer('app').startSpan('app.work');
    span.end();
    return `total of ${await this.shop.price(id)}`;
  }
}

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
});

afterEach(() => {
  trace.disable();
  context.disable();
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const traced = (extra: ExecutionUtilsOptions = {}): ExecutionUtils =>
  rig({ tracing: { openTelemetry: true }, ...extra }).utils;

describe('OpenTelemetry spans', () => {
  it('are off by default: no span, even with a tracer provider registered', async () => {
    rig();
    await new Shop().price('a');
    expect(spans()).toEqual([]);
  });

  it('makes one span per call, named after the operation, with its cache outcome and attempts', async () => {
    traced();
    const shop = new Shop();
    await shop.price('a');
    await shop.price('a');
    expect(spans().map((s) => [s.name, s.attributes, s.status.code])).toEqual([
      [
        'Shop.price',
        { 'execution.operation': 'Shop.price', 'execution.cache': 'miss', 'execution.attempts': 1 },
        SpanStatusCode.UNSET,
      ],
      [
        'Shop.price',
        { 'execution.operation': 'Shop.price', 'execution.cache': 'hit', 'execution.attempts': 0 },
        SpanStatusCode.UNSET,
      ],
    ]);
  });

  it('counts the attempts of a retried call that succeeds', async () => {
    traced();
    const shop = new Shop();
    shop.failures = 1;
    await shop.flaky();
    expect(spans()[0].attributes).toEqual({
      'execution.operation': 'Shop.flaky',
      'execution.cache': 'none',
      'execution.attempts': 2,
    });
  });

  it('marks a failed call ERROR and records its exception', async () => {
    traced();
    const shop = new Shop();
    shop.failures = 5;
    await expect(shop.flaky()).rejects.toThrow('transient');
    const [span] = spans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'transient' });
    expect(span.attributes['execution.attempts']).toBe(3);
    expect(span.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([
      ['exception', 'transient'],
    ]);
  });

  it('ends the span of a synchronous method before it returns', () => {
    traced();
    expect(new Shop().label('a')).toBe('label-a');
    expect(spans().map((s) => s.name)).toEqual(['Shop.label']);
  });

  it('marks a synchronous throw ERROR, and rethrows it', () => {
    traced();
    expect(() => new Shop().label('bad')).toThrow('no label');
    expect(spans()[0].status).toEqual({ code: SpanStatusCode.ERROR, message: 'no label' });
  });

  it('leaves tenant ids out by default', async () => {
    traced();
    await runWithContext({ userId: 'alice', taskId: 't1' }, () => new Shop().price('a'));
    expect(Object.keys(spans()[0].attributes).sort()).toEqual([
      'execution.attempts',
      'execution.cache',
      'execution.operation',
    ]);
  });

  it('adds execution.user_id and execution.task_id with includeTenant', async () => {
    rig({ tracing: { openTelemetry: { includeTenant: true } } });
    await runWithContext({ userId: 'alice', taskId: 't1' }, () => new Shop().price('a'));
    expect(spans()[0].attributes).toMatchObject({
      'execution.user_id': 'alice',
      'execution.task_id': 't1',
    });
  });

  it('runs the call with its span active: spans started inside are its children', async () => {
    traced();
    const checkout = new Checkout(new Shop());
    await checkout.total('a');
    const byName = new Map(spans().map((s) => [s.name, s]));
    const outer = byName.get('Checkout.total')!.spanContext();
    expect(byName.get('Shop.price')!.parentSpanContext?.spanId).toBe(outer.spanId);
    expect(byName.get('app.work')!.parentSpanContext?.spanId).toBe(outer.spanId);
    expect(byName.get('Shop.price')!.spanContext().traceId).toBe(outer.traceId);
  });

  it('names its tracer execution-utils, with the package version', async () => {
    traced();
    await new Shop().price('a');
    expect(spans()[0].instrumentationScope).toMatchObject({
      name: 'execution-utils',
      version: VERSION,
    });
  });

  it('uses the tracer it is given', async () => {
    rig({ tracing: { openTelemetry: { tracer: provider.getTracer('billing') } } });
    await new Shop().price('a');
    expect(spans()[0].instrumentationScope.name).toBe('billing');
  });

  it('never fails a call because the tracer fails', async () => {
    const tracer = {
      startSpan: () => {
        throw new Error('exporter down');
      },
    };
    rig({ tracing: { openTelemetry: { tracer } } });
    await expect(new Shop().price('a')).resolves.toBe('price-a');
  });

  it('works alongside a tracing channel subscriber: both see the same call', async () => {
    traced();
    const seen: CallTraceContext[] = [];
    const handlers = {
      start: () => {},
      end: () => {},
      asyncStart: () => {},
      error: () => {},
      asyncEnd: (ctx: CallTraceContext) => void seen.push({ ...ctx }),
    };
    const channel = diagnosticsChannel.tracingChannel<unknown, CallTraceContext>(CALL_CHANNEL_NAME);
    channel.subscribe(handlers);
    try {
      const shop = new Shop();
      shop.failures = 1;
      await shop.flaky();
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(seen).toEqual([{ operation: 'Shop.flaky', cache: 'none', attempts: 2, result: 'ok' }]);
    expect(spans()[0].attributes['execution.attempts']).toBe(2);
  });

  it('is off with openTelemetry: false', async () => {
    rig({ tracing: { openTelemetry: false } });
    await new Shop().price('a');
    expect(spans()).toEqual([]);
  });
});

describe('the tracing option', () => {
  it.each([
    ['tracing', 'on'],
    ['tracing', [true]],
    ['tracing.openTelemetry', { openTelemetry: 'yes' }],
    ['tracing.openTelemetry', { openTelemetry: null }],
    ['tracing.openTelemetry.tracer', { openTelemetry: { tracer: {} } }],
    ['tracing.openTelemetry.tracer', { openTelemetry: { tracer: 'otel' } }],
    ['tracing.openTelemetry.includeTenant', { openTelemetry: { includeTenant: 'yes' } }],
  ])('refuses a bad %s with a ConfigError', (option, tracing) => {
    const error = configErrorOf(
      () => new ExecutionUtils({ tracing } as unknown as ExecutionUtilsOptions),
    );
    expect(error.option).toBe(option);
  });

  it('names the option when @opentelemetry/api is not installed', () => {
    jest.isolateModules(() => {
      jest.doMock('@opentelemetry/api', () => {
        throw new Error("Cannot find module '@opentelemetry/api'");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the library
      const fresh = require('../../src') as typeof import('../../src');
      let thrown: unknown;
      try {
        new fresh.ExecutionUtils({ tracing: { openTelemetry: true } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(fresh.ConfigError);
      expect(thrown).toMatchObject({ name: 'ConfigError', option: 'tracing.openTelemetry' });
      expect((thrown as Error).message).toContain('npm install @opentelemetry/api');
      // Without spans asked for, the library never loads it.
      expect(() => new fresh.ExecutionUtils({ tracing: {} })).not.toThrow();
    });
    jest.dontMock('@opentelemetry/api');
  });
});
