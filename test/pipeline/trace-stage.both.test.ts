import diagnosticsChannel from 'node:diagnostics_channel';
import {
  CALL_CHANNEL_NAME,
  callTraces,
  currentCallTrace,
  type CallTraceContext,
} from '../../src/observability/call-trace';
import type { CallSpans } from '../../src/observability/open-telemetry';
import type { Stage } from '../../src/pipeline/stage';
import { traceStage } from '../../src/pipeline/trace-stage';
import { probeRig } from './support';

type Published = [string, CallTraceContext];

/** Subscribes to the call channel for one test; returns what it published, as [event, context]. */
function subscribe(): { published: Published[]; stop: () => void } {
  const published: Published[] = [];
  const channel = diagnosticsChannel.tracingChannel<unknown, CallTraceContext>(CALL_CHANNEL_NAME);
  const record =
    (event: string) =>
    (message: CallTraceContext): void =>
      void published.push([event, { ...message }]);
  const handlers = {
    start: record('start'),
    end: record('end'),
    asyncStart: record('asyncStart'),
    asyncEnd: record('asyncEnd'),
    error: record('error'),
  };
  channel.subscribe(handlers);
  return { published, stop: () => channel.unsubscribe(handlers) };
}

let subscription: ReturnType<typeof subscribe> | undefined;
afterEach(() => {
  subscription?.stop();
  subscription = undefined;
});

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('traceStage', () => {
  it('passes the call through without making a trace context while nobody subscribes', () => {
    const create = jest.spyOn(callTraces, 'create');
    const value = {};
    const stage = traceStage(() => value, probeRig().probe, true, undefined);
    expect(stage(undefined, [])).toBe(value);
    expect(create).not.toHaveBeenCalled();
    create.mockRestore();
  });

  it('publishes start, end, asyncStart and asyncEnd for a call that resolves', async () => {
    subscription = subscribe();
    const stage = traceStage(() => Promise.resolve('v'), probeRig('Svc.op').probe, true, undefined);
    await expect(stage(undefined, [])).resolves.toBe('v');
    await flush();
    expect(subscription.published.map(([event]) => event)).toEqual([
      'start',
      'end',
      'asyncStart',
      'asyncEnd',
    ]);
    expect(subscription.published[0][1].operation).toBe('Svc.op');
    expect(subscription.published[3][1].result).toBe('v');
  });

  it('publishes the error of a call that rejects', async () => {
    subscription = subscribe();
    const failure = new Error('down');
    const stage = traceStage(() => Promise.reject(failure), probeRig().probe, true, undefined);
    await expect(stage(undefined, [])).rejects.toBe(failure);
    await flush();
    const errors = subscription.published.filter(([event]) => event === 'error');
    expect(errors.map(([, ctx]) => ctx.error)).toEqual([failure]);
  });

  it('keeps a synchronous method synchronous while traced', () => {
    subscription = subscribe();
    const stage = traceStage(() => 42, probeRig().probe, undefined, undefined);
    expect(stage(undefined, [])).toBe(42);
    expect(subscription.published.map(([event]) => event)).toEqual(['start', 'end']);
  });

  it('publishes asyncStart and asyncEnd when a method of unknown shape returns a promise', async () => {
    subscription = subscribe();
    const stage = traceStage(() => Promise.resolve(1), probeRig().probe, undefined, undefined);
    await stage(undefined, []);
    await flush();
    expect(subscription.published.map(([event]) => event)).toEqual([
      'start',
      'end',
      'asyncStart',
      'asyncEnd',
    ]);
  });

  it("lends the call's trace to the probe for its synchronous part only, and to the async context", () => {
    subscription = subscribe();
    const { probe } = probeRig('Svc.op');
    let during: unknown;
    let inContext: unknown;
    const next: Stage = () => {
      during = probe.callTrace;
      inContext = currentCallTrace();
      return 1;
    };
    traceStage(next, probe, false, undefined)(undefined, []);
    expect(during).toMatchObject({ operation: 'Svc.op', cache: 'none', attempts: 0 });
    expect(inContext).toBe(during);
    expect(probe.callTrace).toBeUndefined();
  });

  it('runs every call inside an OpenTelemetry span when the service has spans, subscribers or not', () => {
    const traced: string[] = [];
    const spans: CallSpans = {
      trace: (trace, run, thisArg, args) => {
        traced.push(trace.operation);
        return run(trace, thisArg, args);
      },
    };
    const stage = traceStage(() => 'v', probeRig('Svc.op').probe, false, spans);
    expect(stage(undefined, [])).toBe('v');
    expect(traced).toEqual(['Svc.op']);
  });
});
