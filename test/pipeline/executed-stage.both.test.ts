import type { ExecutionEvents } from '../../src/observability/events';
import { executedStage } from '../../src/pipeline/executed-stage';
import type { Stage } from '../../src/pipeline/stage';
import { deferred } from '../helpers';
import { probeRig } from './support';

function setup(next: Stage, listen = true) {
  const { probe, clock, bus } = probeRig('Svc.op');
  const events: ExecutionEvents['executed'][] = [];
  if (listen) bus.on('executed', (e) => events.push(e));
  return { stage: executedStage(next, probe), clock, events };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('executedStage', () => {
  it('returns what the rest of the pipeline returns and reports nothing while nobody listens', async () => {
    const value = {};
    const { stage, events } = setup(() => value, false);
    expect(stage(undefined, [])).toBe(value);
    await flush();
    expect(events).toEqual([]);
  });

  it('reports a synchronous success with its duration', () => {
    const { stage, events } = setup(() => 'v');
    expect(stage(undefined, [])).toBe('v');
    expect(events).toEqual([{ operation: 'Svc.op', durationMs: 0, ok: true }]);
  });

  it('reports an async success when it settles, timed on the clock', async () => {
    const gate = deferred<string>();
    const { stage, clock, events } = setup(() => gate.promise);
    const result = stage(undefined, []);
    expect(events).toEqual([]);
    await clock.advance(50);
    gate.resolve('v');
    await result;
    await flush();
    expect(events).toEqual([{ operation: 'Svc.op', durationMs: 50, ok: true }]);
  });

  it('reports a rejection as not ok, and still rejects the caller', async () => {
    const { stage, events } = setup(() => Promise.reject(new Error('down')));
    await expect(stage(undefined, [])).rejects.toThrow('down');
    await flush();
    expect(events).toEqual([{ operation: 'Svc.op', durationMs: 0, ok: false }]);
  });

  it('reports a synchronous throw as not ok, and rethrows it', () => {
    const { stage, events } = setup(() => {
      throw new Error('sync bug');
    });
    expect(() => stage(undefined, [])).toThrow('sync bug');
    expect(events).toEqual([{ operation: 'Svc.op', durationMs: 0, ok: false }]);
  });
});
