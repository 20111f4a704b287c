import diagnosticsChannel from 'node:diagnostics_channel';
import {
  CALL_CHANNEL_NAME,
  callChannel,
  callTraces,
  currentCallTrace,
  runInCallTrace,
  type CallTraceContext,
} from '../../src/observability/call-trace';

describe('the call tracing channel', () => {
  it("is named 'execution-utils:call'", () => {
    expect(CALL_CHANNEL_NAME).toBe('execution-utils:call');
  });

  it('publishes on the channels a subscriber finds by that name', () => {
    const seen: CallTraceContext[] = [];
    const onStart = (message: unknown): void => void seen.push(message as CallTraceContext);
    diagnosticsChannel.subscribe(`tracing:${CALL_CHANNEL_NAME}:start`, onStart);
    try {
      const trace = callTraces.create('Repo.get');
      callChannel.traceSync(() => 1, trace);
      expect(seen).toEqual([trace]);
    } finally {
      diagnosticsChannel.unsubscribe(`tracing:${CALL_CHANNEL_NAME}:start`, onStart);
    }
  });
});

describe('callTraces.create', () => {
  it('starts a trace with no cache outcome and no attempts', () => {
    expect(callTraces.create('Repo.get')).toEqual({
      operation: 'Repo.get',
      cache: 'none',
      attempts: 0,
    });
  });
});

describe('runInCallTrace', () => {
  it('makes the trace current for the work, with its this and arguments, and returns its result', () => {
    const trace = callTraces.create('Repo.get');
    const self = {};
    const result = runInCallTrace(
      trace,
      (thisArg, args) => [currentCallTrace(), thisArg, args],
      self,
      [1],
    );
    expect(result).toEqual([trace, self, [1]]);
  });

  it('carries the trace across awaits', async () => {
    const trace = callTraces.create('Repo.get');
    const seen = await runInCallTrace(
      trace,
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return currentCallTrace();
      },
      undefined,
      [],
    );
    expect(seen).toBe(trace);
  });

  it('leaves no trace current outside it', () => {
    runInCallTrace(callTraces.create('Repo.get'), () => 1, undefined, []);
    expect(currentCallTrace()).toBeUndefined();
  });
});
