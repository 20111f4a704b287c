import { ServiceProbe } from '../../src/observability/service-probe';
import { EventBus } from '../../src/observability/events';
import { newCounters } from '../../src/observability/stats';
import { redisTierFor } from '../../src/service/redis-wiring';

// With a `redis` option the wiring builds a tier that connects: that path is tested with a server
// in test/cache/redis/. Here, only what needs no server.
describe('redisTierFor', () => {
  it('builds no shared tier without a redis option', () => {
    const report = new ServiceProbe(newCounters(), new EventBus());
    const cache = jest.fn(() => undefined);
    expect(redisTierFor({}, report, cache)).toBeUndefined();
    expect(cache).not.toHaveBeenCalled();
  });

  it('builds no shared tier for an explicit undefined redis option', () => {
    const report = new ServiceProbe(newCounters(), new EventBus());
    expect(redisTierFor({ redis: undefined }, report, () => undefined)).toBeUndefined();
  });
});
