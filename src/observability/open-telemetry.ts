import { checkKnownKeys, checkOptionsObject, fail, optionKeys } from '../validation';
import type { CallTraceContext } from './call-trace';

/**
 * The part of an OpenTelemetry `Tracer` the library uses. Declared here rather than imported so
 * that the library's types do not need `@opentelemetry/api` installed: pass any `Tracer`
 * (`trace.getTracer('my-service')`).
 */
export interface OpenTelemetryTracer {
  startSpan(
    name: string,
    options?: { attributes?: Record<string, string | number | boolean> },
  ): OpenTelemetrySpan;
}

/** The part of an OpenTelemetry `Span` the library uses. */
export interface OpenTelemetrySpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): unknown;
  end(): void;
}

/**
 * Options of OpenTelemetry spans: `tracing: { openTelemetry: { ... } }`.
 *
 * @example
 * new ExecutionUtils({ tracing: { openTelemetry: { includeTenant: true } } });
 */
export interface OpenTelemetryOptions {
  /**
   * The tracer spans are started with. Default: `trace.getTracer('execution-utils', version)`
   * from the global tracer provider (the one your OpenTelemetry SDK registers).
   */
  tracer?: OpenTelemetryTracer;
  /**
   * Whether a span carries the call's tenant: `execution.user_id` and `execution.task_id` from
   * its context. Default `false`: tenant ids often identify people, and tracing backends keep
   * attributes far longer than the cache keeps entries.
   */
  includeTenant?: boolean;
}

/**
 * The `tracing` option of `new ExecutionUtils({ tracing })`.
 *
 * @example
 * new ExecutionUtils({ tracing: { openTelemetry: true } });
 * new ExecutionUtils({ tracing: { openTelemetry: { tracer: trace.getTracer('billing'), includeTenant: true } } });
 */
export interface TracingOptions {
  /**
   * One OpenTelemetry span per decorated (or `wrap`ped) call, through `@opentelemetry/api` (an
   * optional peer dependency, loaded only when this is on). `true` for the defaults. Default
   * `false`: no span, no cost. The `execution-utils:call` diagnostics channel publishes every
   * call whatever this says.
   */
  openTelemetry?: boolean | OpenTelemetryOptions;
}

const TRACING_OPTION_KEYS = optionKeys<TracingOptions>({ openTelemetry: true });
const OPEN_TELEMETRY_OPTION_KEYS = optionKeys<OpenTelemetryOptions>({
  tracer: true,
  includeTenant: true,
});

/** Validates the `tracing` option; throws `ConfigError` naming the bad field (or unknown key). */
export function validateTracingOptions(tracing: TracingOptions, where: string): void {
  checkOptionsObject(where, tracing);
  checkKnownKeys(where, tracing, TRACING_OPTION_KEYS);
  const { openTelemetry } = tracing;
  if (openTelemetry === undefined || typeof openTelemetry === 'boolean') return;
  const label = `${where}.openTelemetry`;
  if (typeof openTelemetry !== 'object' || openTelemetry === null || Array.isArray(openTelemetry)) {
    fail(label, openTelemetry, 'a boolean or an options object');
  }
  checkKnownKeys(label, openTelemetry, OPEN_TELEMETRY_OPTION_KEYS);
  const { tracer, includeTenant } = openTelemetry;
  const startSpan = (tracer as { startSpan?: unknown } | null | undefined)?.startSpan;
  if (tracer !== undefined && (typeof tracer !== 'object' || typeof startSpan !== 'function')) {
    fail(`${label}.tracer`, tracer, 'an OpenTelemetry Tracer (an object with startSpan)');
  }
  if (includeTenant !== undefined && typeof includeTenant !== 'boolean') {
    fail(`${label}.includeTenant`, includeTenant, 'a boolean');
  }
}

/**
 * What the trace stage needs of a service's span maker (see `otel-spans.ts`): run one call
 * inside a span, ending the span when the call settles.
 */
export interface CallSpans {
  trace(
    trace: CallTraceContext,
    run: (trace: CallTraceContext, thisArg: unknown, args: unknown[]) => unknown,
    thisArg: unknown,
    args: unknown[],
  ): unknown;
}
