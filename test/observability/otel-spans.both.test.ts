import { runWithContext } from '../../src';
import { callTraces, type CallTraceContext } from '../../src/observability/call-trace';
import type { OpenTelemetryTracer } from '../../src/observability/open-telemetry';
import { openTelemetrySpans } from '../../src/observability/otel-spans';

/** A tracer that records the spans it starts and what was done to them. */
function fakeTracer() {
  const spans: {
    name: string;
    attributes: Record<string, unknown>;
    status?: { code: number; message?: string };
    exceptions: unknown[];
    ended: boolean;
  }[] = [];
  const tracer: OpenTelemetryTracer = {
    startSpan(name, options) {
      const span = {
        name,
        attributes: { ...(options?.attributes ?? {}) } as Record<string, unknown>,
        status: undefined as { code: number; message?: string } | undefined,
        exceptions: [] as unknown[],
        ended: false,
      };
      spans.push(span);
      return {
        setAttribute: (key: string, value: unknown) => void (span.attributes[key] = value),
        setStatus: (status: { code: number; message?: string }) => void (span.status = status),
        recordException: (e: unknown) => void span.exceptions.push(e),
        end: () => void (span.ended = true),
      };
    },
  };
  return { tracer, spans };
}

const run = (trace: CallTraceContext, _thisArg: unknown, args: unknown[]): unknown => {
  trace.cache = 'miss';
  trace.attempts = 2;
  return (args[0] as () => unknown)();
};

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('openTelemetrySpans', () => {
  it('makes no spans while tracing.openTelemetry is off', () => {
    expect(openTelemetrySpans(undefined)).toBeUndefined();
    expect(openTelemetrySpans({})).toBeUndefined();
    expect(openTelemetrySpans({ openTelemetry: false })).toBeUndefined();
  });

  it('makes spans with the global tracer for openTelemetry: true', () => {
    expect(openTelemetrySpans({ openTelemetry: true })).toBeDefined();
  });

  it("names a span after the operation, and ends it with the call's cache outcome and attempts", async () => {
    const { tracer, spans } = fakeTracer();
    const otel = openTelemetrySpans({ openTelemetry: { tracer } })!;
    const result = otel.trace(callTraces.create('Repo.get'), run, undefined, [
      () => Promise.resolve('v'),
    ]);
    expect(spans[0]).toMatchObject({ name: 'Repo.get', ended: false });
    await expect(result).resolves.toBe('v');
    await flush();
    expect(spans[0]).toMatchObject({
      attributes: {
        'execution.operation': 'Repo.get',
        'execution.cache': 'miss',
        'execution.attempts': 2,
      },
      ended: true,
      status: undefined,
    });
  });

  it('marks the span of a failed call as an error, with the exception recorded', async () => {
    const { tracer, spans } = fakeTracer();
    const otel = openTelemetrySpans({ openTelemetry: { tracer } })!;
    const failure = new Error('down');
    const result = otel.trace(callTraces.create('Repo.get'), run, undefined, [
      () => Promise.reject(failure),
    ]) as Promise<unknown>;
    await expect(result).rejects.toBe(failure);
    await flush();
    expect(spans[0].exceptions).toEqual([failure]);
    expect(spans[0].status).toEqual({ code: 2, message: 'down' });
    expect(spans[0].ended).toBe(true);
  });

  it('ends the span of a call that throws synchronously, and rethrows', () => {
    const { tracer, spans } = fakeTracer();
    const otel = openTelemetrySpans({ openTelemetry: { tracer } })!;
    const fail = (): never => {
      throw new Error('sync');
    };
    expect(() => otel.trace(callTraces.create('Repo.get'), run, undefined, [fail])).toThrow('sync');
    expect(spans[0]).toMatchObject({ ended: true, status: { code: 2, message: 'sync' } });
  });

  it('ends the span of a synchronous success at once', () => {
    const { tracer, spans } = fakeTracer();
    const otel = openTelemetrySpans({ openTelemetry: { tracer } })!;
    expect(otel.trace(callTraces.create('Repo.get'), run, undefined, [() => 7])).toBe(7);
    expect(spans[0].ended).toBe(true);
  });

  it('adds the tenant only with includeTenant', () => {
    const withTenant = fakeTracer();
    const without = fakeTracer();
    const a = openTelemetrySpans({
      openTelemetry: { tracer: withTenant.tracer, includeTenant: true },
    })!;
    const b = openTelemetrySpans({ openTelemetry: { tracer: without.tracer } })!;
    runWithContext({ userId: 'u1', taskId: 't1' }, () => {
      a.trace(callTraces.create('Repo.get'), run, undefined, [() => 1]);
      b.trace(callTraces.create('Repo.get'), run, undefined, [() => 1]);
    });
    expect(withTenant.spans[0].attributes).toMatchObject({
      'execution.user_id': 'u1',
      'execution.task_id': 't1',
    });
    expect(without.spans[0].attributes).not.toHaveProperty('execution.user_id');
  });

  it('still runs the call when the tracer fails to start a span', () => {
    const tracer: OpenTelemetryTracer = {
      startSpan: () => {
        throw new Error('tracer bug');
      },
    };
    const otel = openTelemetrySpans({ openTelemetry: { tracer } })!;
    expect(otel.trace(callTraces.create('Repo.get'), run, undefined, [() => 'v'])).toBe('v');
  });
});
