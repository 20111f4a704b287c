import {
  EventBus,
  type ExecutionEventName,
  type ExecutionEvents,
} from '../../src/observability/events';
import { ServiceProbe } from '../../src/observability/service-probe';
import { newCounters } from '../../src/observability/stats';

function setup() {
  const total = newCounters();
  const bus = new EventBus();
  const probe = new ServiceProbe(total, bus);
  const listen = <E extends ExecutionEventName>(event: E): ExecutionEvents[E][] => {
    const seen: ExecutionEvents[E][] = [];
    bus.on(event, (payload) => seen.push(payload));
    return seen;
  };
  return { probe, total, listen };
}

describe('ServiceProbe', () => {
  it('counts an eviction and reports its key', () => {
    const { probe, total, listen } = setup();
    const events = listen('evict');
    probe.evicted('k');
    expect(total.evictions).toBe(1);
    expect(events).toEqual([{ key: 'k' }]);
  });

  it('counts a remote error, and a decode error apart, reporting each', () => {
    const { probe, total, listen } = setup();
    const events = listen('remoteError');
    const cause = new Error('ECONNREFUSED');
    probe.remoteError('get', 'error', cause);
    probe.remoteError('get', 'decode');
    expect(total).toMatchObject({ remoteErrors: 2, remoteDecodeErrors: 1 });
    expect(events).toEqual([
      { command: 'get', reason: 'error', error: cause },
      { command: 'get', reason: 'decode', error: undefined },
    ]);
  });

  it('adds the entries an invalidation dropped, and reports its kind and origin', () => {
    const { probe, total, listen } = setup();
    const events = listen('invalidated');
    probe.invalidated({ kind: 'tenant', id: 'u1' }, 3, 'remote');
    probe.invalidated({ kind: 'all' }, 2, 'reconnect');
    expect(total.invalidated).toBe(5);
    expect(events).toEqual([
      { kind: 'tenant', dropped: 3, origin: 'remote' },
      { kind: 'all', dropped: 2, origin: 'reconnect' },
    ]);
  });

  it('reports a breaker state change', () => {
    const { probe, listen } = setup();
    const events = listen('breakerStateChange');
    probe.breakerStateChange('payments', 'closed', 'open');
    expect(events).toEqual([{ breaker: 'payments', from: 'closed', to: 'open' }]);
  });

  it('counts direct reads as hits or misses, and direct writes as sets', () => {
    const { probe, total } = setup();
    probe.directRead(true);
    probe.directRead(false);
    probe.directRead(false);
    probe.directWrite();
    expect(total).toMatchObject({ hits: 1, misses: 2, sets: 1 });
  });

  it('still counts while nobody listens', () => {
    const { probe, total } = setup();
    probe.evicted('k');
    probe.remoteError('set', 'timeout');
    expect(total).toMatchObject({ evictions: 1, remoteErrors: 1 });
  });
});
