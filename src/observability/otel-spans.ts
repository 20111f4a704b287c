import type * as OtelApi from '@opentelemetry/api';
import { currentContextFields } from '../context';
import { isThenable } from '../is-thenable';
import { VERSION } from '../version';
import type { CallTraceContext } from './call-trace';
import { errorMessage } from '../error-message';
import type { CallSpans, TracingOptions } from './open-telemetry';
import { loadOptionalPeer } from '../optional-peer';

// Apart from the option types (open-telemetry.ts) so that no shipped declaration the public
// types reach imports @opentelemetry/api: an application without it must still type-check.

/**
 * The service's span maker, or undefined when `tracing.openTelemetry` is off (then nothing of
 * OpenTelemetry is loaded, and the trace stage stays a passthrough).
 */
export function openTelemetrySpans(tracing: TracingOptions | undefined): CallSpans | undefined {
  const setting = tracing?.openTelemetry;
  if (!setting) return undefined;
  const options = setting === true ? {} : setting;
  const api = loadApi();
  const tracer =
    (options.tracer as OtelApi.Tracer | undefined) ??
    api.trace.getTracer('execution-utils', VERSION);
  return new OtelCallSpans(api, tracer, options.includeTenant === true);
}

/**
 * `@opentelemetry/api`, loaded when a service turns spans on: it is an optional peer
 * dependency, and a service without spans must run without it installed.
 */
function loadApi(): typeof OtelApi {
  return loadOptionalPeer('@opentelemetry/api', 'OpenTelemetry spans', 'tracing.openTelemetry');
}

/**
 * Wraps calls in spans named after their operation. The call runs with its span active, so
 * spans the method starts (an HTTP client's, a database driver's) are its children. Attributes:
 * `execution.operation` at the start; `execution.cache` and `execution.attempts` at the end;
 * `execution.user_id` / `execution.task_id` only with `includeTenant`. A failure sets status
 * ERROR and records the exception.
 */
class OtelCallSpans implements CallSpans {
  constructor(
    private readonly api: typeof OtelApi,
    private readonly tracer: OtelApi.Tracer,
    private readonly includeTenant: boolean,
  ) {}

  /** Runs `run(trace, thisArg, args)` inside a span and ends the span when the call settles. */
  trace(
    trace: CallTraceContext,
    run: (trace: CallTraceContext, thisArg: unknown, args: unknown[]) => unknown,
    thisArg: unknown,
    args: unknown[],
  ): unknown {
    const { api } = this;
    let span: OtelApi.Span;
    try {
      span = this.tracer.startSpan(trace.operation, { attributes: this.startAttributes(trace) });
    } catch {
      // A tracer that fails must not fail the call it would have observed.
      return run(trace, thisArg, args);
    }
    let result: unknown;
    try {
      const active = api.trace.setSpan(api.context.active(), span);
      result = api.context.with(active, run, undefined, trace, thisArg, args);
    } catch (error) {
      this.end(span, trace, true, error);
      throw error;
    }
    if (isThenable(result)) {
      result.then(
        () => this.end(span, trace, false),
        (error: unknown) => this.end(span, trace, true, error),
      );
    } else {
      this.end(span, trace, false);
    }
    return result;
  }

  private startAttributes(trace: CallTraceContext): OtelApi.Attributes {
    const attributes: OtelApi.Attributes = { 'execution.operation': trace.operation };
    if (this.includeTenant) {
      const ctx = currentContextFields();
      if (ctx?.userId !== undefined) attributes['execution.user_id'] = ctx.userId;
      if (ctx?.taskId !== undefined) attributes['execution.task_id'] = ctx.taskId;
    }
    return attributes;
  }

  private end(span: OtelApi.Span, trace: CallTraceContext, failed: boolean, error?: unknown): void {
    try {
      span.setAttribute('execution.cache', trace.cache);
      span.setAttribute('execution.attempts', trace.attempts);
      if (failed) {
        const message = errorMessage(error);
        span.recordException(error instanceof Error ? error : message);
        span.setStatus({ code: this.api.SpanStatusCode.ERROR, message });
      }
      span.end();
    } catch {
      // Runs after the call settled, detached from its caller: a failing span is dropped.
    }
  }
}
