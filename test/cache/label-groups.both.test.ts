import { LabelGroups } from '../../src/cache/label-groups';
import { NO_SLOT } from '../../src/cache/lru-slots';

/** Label groups over slots numbered in join order, with each slot's key to read results by. */
function fixture() {
  const groups = new LabelGroups(64);
  const keys: string[] = [];
  const join = (key: string, group: ReturnType<LabelGroups['groupOf']>): number => {
    const slot = keys.length;
    keys.push(key);
    groups.join(slot, group);
    return slot;
  };
  const keysOf = (kind: 'operation' | 'tenant' | 'tag', name: string): string[] =>
    groups.slotsOf(kind, name).map((slot) => keys[slot]);
  return { groups, join, keysOf };
}

const sorted = (keys: string[]): string[] => [...keys].sort();

describe('LabelGroups', () => {
  it('gives untagged entries of one operation and tenant one shared group once it has members', () => {
    const { groups, join } = fixture();
    const first = groups.groupOf('op', 'u1', []);
    expect(groups.groupOf('op', 'u1', [])).not.toBe(first);
    join('a', first);
    expect(groups.groupOf('op', 'u1', [])).toBe(first);
    expect(groups.groupOf('op', 'u2', [])).not.toBe(first);
    expect(groups.groupOf('op', 'u1', ['t'])).not.toBe(first);
  });

  it('never hands a tagged group to untagged entries of the same operation and tenant', () => {
    const { groups, join, keysOf } = fixture();
    const tagged = groups.groupOf('op', 'u1', ['t']);
    join('a', tagged);
    const untagged = groups.groupOf('op', 'u1', []);
    expect(untagged).not.toBe(tagged);
    join('b', untagged);
    expect(keysOf('tag', 't')).toEqual(['a']);
  });

  it('shares one group per tenant among several tenants of one operation', () => {
    const { groups, join } = fixture();
    const first = groups.groupOf('op', 'u1', []);
    const a = join('a', first);
    const second = groups.groupOf('op', 'u2', []);
    join('b', second);
    expect(groups.groupOf('op', 'u2', [])).toBe(second);
    expect(groups.groupOf('op', 'u1', [])).toBe(first);
    // u1's group empties: u2's stays the shared one.
    groups.leave(a);
    expect(groups.groupOf('op', 'u2', [])).toBe(second);
  });

  it.each<[string, number]>([
    ['the newest (list head)', 3],
    ['one in the middle', 1],
    ['the oldest (list tail)', 0],
  ])('after %s leaves, finds the others by operation and by tenant', (_, leaving) => {
    const { groups, join, keysOf } = fixture();
    const group = groups.groupOf('op', 'u1', []);
    const names = ['a', 'b', 'c', 'd'];
    const slots = names.map((key) => join(key, group));
    groups.leave(slots[leaving]);
    const left = sorted(names.filter((_k, i) => i !== leaving));
    expect(sorted(keysOf('operation', 'op'))).toEqual(left);
    expect(sorted(keysOf('tenant', 'u1'))).toEqual(left);
  });

  it('forgets a group once its last member leaves, and a newcomer starts a new one', () => {
    const { groups, join, keysOf } = fixture();
    const group = groups.groupOf('op', 'u1', ['t']);
    groups.leave(join('a', group));
    expect(keysOf('operation', 'op')).toEqual([]);
    expect(keysOf('tenant', 'u1')).toEqual([]);
    expect(keysOf('tag', 't')).toEqual([]);
    expect(group.head).toBe(NO_SLOT);
    const shared = groups.groupOf('op', 'u1', []);
    groups.leave(join('b', shared));
    expect(groups.groupOf('op', 'u1', [])).not.toBe(shared);
  });

  it('keeps the list whole when neighbours leave one after the other', () => {
    const { groups, join, keysOf } = fixture();
    const group = groups.groupOf('op', 'u1', []);
    const slots = ['a', 'b', 'c', 'd'].map((key) => join(key, group));
    groups.leave(slots[1]);
    groups.leave(slots[0]);
    groups.leave(slots[3]);
    expect(keysOf('operation', 'op')).toEqual(['c']);
  });

  it('holds no name once every member of every group has left', () => {
    const { groups, join } = fixture();
    const slots: number[] = [];
    for (let i = 0; i < 50; i++) {
      const tags = i % 5 === 0 ? [`t${i}`, 'shared-tag'] : [];
      slots.push(join(`k${i}`, groups.groupOf(`op${i % 3}`, `u${i % 7}`, tags)));
    }
    expect(groups.names).toBeGreaterThan(0);
    for (const slot of slots.reverse()) groups.leave(slot);
    expect(groups.names).toBe(0);
  });

  it('ignores a slot that leaves twice or never joined', () => {
    const { groups, join, keysOf } = fixture();
    const group = groups.groupOf('op', 'u1', []);
    const a = join('a', group);
    join('b', group);
    groups.leave(a);
    groups.leave(a);
    groups.leave(40);
    expect(keysOf('operation', 'op')).toEqual(['b']);
  });

  it('finds a tagged entry by each of its tags, and no entry by the empty tenant', () => {
    const { groups, join, keysOf } = fixture();
    join('a', groups.groupOf('op', '', ['x', 'y']));
    expect(keysOf('tag', 'x')).toEqual(['a']);
    expect(keysOf('tag', 'y')).toEqual(['a']);
    expect(keysOf('tenant', '')).toEqual([]);
  });

  it('keeps operations, tenants and tags of the same name apart', () => {
    const { groups, join, keysOf } = fixture();
    join('a', groups.groupOf('same', 'other', []));
    join('b', groups.groupOf('other', 'same', []));
    join('c', groups.groupOf('other', 'other', ['same']));
    expect(keysOf('operation', 'same')).toEqual(['a']);
    expect(keysOf('tenant', 'same')).toEqual(['b']);
    expect(keysOf('tag', 'same')).toEqual(['c']);
  });

  it('tells the group of a member slot, and none once it left or after clear()', () => {
    const { groups, join } = fixture();
    const group = groups.groupOf('op', 'u1', []);
    const a = join('a', group);
    const b = join('b', group);
    expect(groups.labelsOf(a)).toBe(group);
    groups.leave(a);
    expect(groups.labelsOf(a)).toBeUndefined();
    groups.clear();
    expect(groups.labelsOf(b)).toBeUndefined();
    expect(groups.names).toBe(0);
  });
});
