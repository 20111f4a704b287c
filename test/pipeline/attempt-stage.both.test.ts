import { callTraces, runInCallTrace, type CacheOutcome } from '../../src/observability/call-trace';
import { attemptStage } from '../../src/pipeline/attempt-stage';

describe('attemptStage', () => {
  const stage = attemptStage(() => 'v', 'Svc.op');

  it('returns what the rest of the pipeline returns outside any traced call', () => {
    expect(stage(undefined, [])).toBe('v');
  });

  it.each<CacheOutcome>(['none', 'miss', 'uncached'])(
    'counts an attempt of a traced call of its operation whose cache outcome is %s',
    (outcome) => {
      const trace = callTraces.create('Svc.op');
      trace.cache = outcome;
      runInCallTrace(trace, stage, undefined, []);
      runInCallTrace(trace, stage, undefined, []);
      expect(trace.attempts).toBe(2);
    },
  );

  it.each<CacheOutcome>(['hit', 'stale', 'coalesced'])(
    'counts no attempt for a traced call the cache answered (%s): the load is not its own',
    (outcome) => {
      const trace = callTraces.create('Svc.op');
      trace.cache = outcome;
      runInCallTrace(trace, stage, undefined, []);
      expect(trace.attempts).toBe(0);
    },
  );

  it("counts no attempt in another operation's trace (a nested call)", () => {
    const trace = callTraces.create('Outer.op');
    runInCallTrace(trace, stage, undefined, []);
    expect(trace.attempts).toBe(0);
  });
});
