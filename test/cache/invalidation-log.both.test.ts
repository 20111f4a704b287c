import { InvalidationLog } from '../../src/cache/invalidation-log';
import type { EntryLabels } from '../../src/cache/store';

const labels: EntryLabels = { operation: 'Op.get', tenant: 'u1', tags: ['a', 'b'] };

describe('InvalidationLog', () => {
  it('covers nothing for a load stamped after the last invalidation', () => {
    const log = new InvalidationLog();
    log.record({ kind: 'key', key: 'k' });
    expect(log.covers(log.stamp(), 'k', labels)).toBe(false);
  });

  it.each<[string, Parameters<InvalidationLog['record']>[0], boolean]>([
    ['its key', { kind: 'key', key: 'k' }, true],
    ['another key', { kind: 'key', key: 'other' }, false],
    ['its operation', { kind: 'operation', name: 'Op.get' }, true],
    ['another operation', { kind: 'operation', name: 'Op.list' }, false],
    ['its tenant', { kind: 'tenant', id: 'u1' }, true],
    ['another tenant', { kind: 'tenant', id: 'u2' }, false],
    ['one of its tags', { kind: 'tags', tags: ['x', 'b'] }, true],
    ['other tags', { kind: 'tags', tags: ['x'] }, false],
    ['everything', { kind: 'all' }, true],
  ])('after an invalidation of %s, covers an older load: %s', (_, what, covered) => {
    const log = new InvalidationLog();
    const stamp = log.stamp();
    log.record(what);
    expect(log.covers(stamp, 'k', labels)).toBe(covered);
  });

  it('never covers an entry of no tenant by a tenant invalidation of the empty id', () => {
    const log = new InvalidationLog();
    const stamp = log.stamp();
    log.record({ kind: 'tenant', id: '' });
    expect(log.covers(stamp, 'k', { ...labels, tenant: '' })).toBe(false);
  });

  it('past 4096 remembered names forgets them and covers every load older than that point', () => {
    const log = new InvalidationLog();
    const before = log.stamp();
    for (let i = 0; i < 4096; i++) log.record({ kind: 'key', key: `k${i}` });
    const middle = log.stamp();
    expect(log.covers(before, 'unrelated', labels)).toBe(false);
    log.record({ kind: 'key', key: 'one more' });
    expect(log.covers(before, 'unrelated', labels)).toBe(true);
    expect(log.covers(middle, 'unrelated', labels)).toBe(true);
    const after = log.stamp();
    log.record({ kind: 'key', key: 'k' });
    expect(log.covers(after, 'unrelated', labels)).toBe(false);
    expect(log.covers(after, 'k', labels)).toBe(true);
  });
});
