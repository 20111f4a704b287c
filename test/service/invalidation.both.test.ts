import type { ExecutionEvents } from '../../src/observability/events';
import { invalidate, invalidations } from '../../src/service/invalidation';
import { ServiceCore } from '../../src/service/service-core';
import { ManualClock } from '../../src/testing/manual-clock';
import { configErrorOf } from '../helpers';

function setup(cacheSize?: number) {
  const core = new ServiceCore({ clock: new ManualClock(), cacheSize });
  const events: ExecutionEvents['invalidated'][] = [];
  core.bus.on('invalidated', (e) => events.push(e));
  const put = (key: string, operation: string, tenant: string, tags: string[] = []): void =>
    core.store?.write(key, {
      value: key,
      freshFor: 1_000,
      keptFor: 1_000,
      operation,
      tenant,
      tags,
    });
  return { core, events, put };
}

describe('invalidate', () => {
  it('drops what it names, resolves with the count, and reports it as a local invalidation', async () => {
    const { core, events, put } = setup();
    put('a', 'Repo.get', 'u1');
    put('b', 'Repo.get', 'u2');
    put('c', 'Repo.list', 'u1');
    await expect(invalidate(core, invalidations.operation('Repo.get'))).resolves.toBe(2);
    expect(core.store?.has('c')).toBe(true);
    expect(core.stats.total.invalidated).toBe(2);
    expect(events).toEqual([{ kind: 'operation', dropped: 2, origin: 'local' }]);
  });

  it('still drops entries here once the service is closed', async () => {
    const { core, put } = setup();
    await core.close();
    put('a', 'Repo.get', 'u1');
    await expect(invalidate(core, invalidations.key('a'))).resolves.toBe(1);
  });

  it('resolves with 0 and reports nothing when caching is off', async () => {
    const { core, events } = setup(0);
    await expect(invalidate(core, invalidations.key('a'))).resolves.toBe(0);
    expect(events).toEqual([]);
  });
});

describe('invalidations', () => {
  it('names a key, an operation, a tenant and tags', () => {
    expect(invalidations.key('k')).toEqual({ kind: 'key', key: 'k' });
    expect(invalidations.operation('Repo.get')).toEqual({ kind: 'operation', name: 'Repo.get' });
    expect(invalidations.tenant('u1')).toEqual({ kind: 'tenant', id: 'u1' });
    expect(invalidations.tags(['a', 'b'])).toEqual({ kind: 'tags', tags: ['a', 'b'] });
  });

  it('copies the tags, so a later change to the caller array changes nothing', () => {
    const tags = ['a'];
    const what = invalidations.tags(tags);
    tags.push('b');
    expect(what).toEqual({ kind: 'tags', tags: ['a'] });
  });

  it('refuses arguments of the wrong kind, naming them', () => {
    expect(configErrorOf(() => invalidations.key(1 as unknown as string)).message).toContain('key');
    expect(configErrorOf(() => invalidations.operation('')).message).toContain('name');
    expect(configErrorOf(() => invalidations.tenant('')).message).toContain('userId');
    expect(configErrorOf(() => invalidations.tags('a' as unknown as string[])).message).toContain(
      'tags',
    );
    expect(configErrorOf(() => invalidations.tags(['ok', ''])).message).toContain('tags[1]');
  });
});
