import { LabelGroups, type GroupMember, type LabelGroup } from '../../src/cache/label-groups';

const member = (key: string, group: LabelGroup): GroupMember => ({
  key,
  group,
  prev: undefined,
  next: undefined,
});

const sorted = (keys: string[]): string[] => [...keys].sort();

describe('LabelGroups', () => {
  it('gives untagged entries of one operation and tenant one shared group once it has members', () => {
    const groups = new LabelGroups();
    const first = groups.groupOf('op', 'u1', []);
    expect(groups.groupOf('op', 'u1', [])).not.toBe(first);
    groups.join(member('a', first));
    expect(groups.groupOf('op', 'u1', [])).toBe(first);
    expect(groups.groupOf('op', 'u2', [])).not.toBe(first);
    expect(groups.groupOf('op', 'u1', ['t'])).not.toBe(first);
  });

  it('never hands a tagged group to untagged entries of the same operation and tenant', () => {
    const groups = new LabelGroups();
    const tagged = groups.groupOf('op', 'u1', ['t']);
    groups.join(member('a', tagged));
    const untagged = groups.groupOf('op', 'u1', []);
    expect(untagged).not.toBe(tagged);
    groups.join(member('b', untagged));
    expect(groups.keysOf('tag', 't')).toEqual(['a']);
  });

  it('shares one group per tenant among several tenants of one operation', () => {
    const groups = new LabelGroups();
    const first = groups.groupOf('op', 'u1', []);
    groups.join(member('a', first));
    const second = groups.groupOf('op', 'u2', []);
    groups.join(member('b', second));
    expect(groups.groupOf('op', 'u2', [])).toBe(second);
    expect(groups.groupOf('op', 'u1', [])).toBe(first);
    // u1's group empties: u2's stays the shared one.
    groups.leave(first.head!);
    expect(groups.groupOf('op', 'u2', [])).toBe(second);
  });

  it.each<[string, number]>([
    ['the newest (list head)', 3],
    ['one in the middle', 1],
    ['the oldest (list tail)', 0],
  ])('after %s leaves, finds the others by operation and by tenant', (_, leaving) => {
    const groups = new LabelGroups();
    const group = groups.groupOf('op', 'u1', []);
    const members = ['a', 'b', 'c', 'd'].map((key) => member(key, group));
    members.forEach((m) => groups.join(m));
    groups.leave(members[leaving]);
    const left = sorted(members.filter((_m, i) => i !== leaving).map((m) => m.key));
    expect(sorted(groups.keysOf('operation', 'op'))).toEqual(left);
    expect(sorted(groups.keysOf('tenant', 'u1'))).toEqual(left);
  });

  it('forgets a group once its last member leaves, and a newcomer starts a new one', () => {
    const groups = new LabelGroups();
    const group = groups.groupOf('op', 'u1', ['t']);
    const only = member('a', group);
    groups.join(only);
    groups.leave(only);
    expect(groups.keysOf('operation', 'op')).toEqual([]);
    expect(groups.keysOf('tenant', 'u1')).toEqual([]);
    expect(groups.keysOf('tag', 't')).toEqual([]);
    const shared = groups.groupOf('op', 'u1', []);
    groups.join(member('b', shared));
    groups.leave(shared.head!);
    expect(groups.groupOf('op', 'u1', [])).not.toBe(shared);
  });

  it('keeps the list whole when neighbours leave one after the other', () => {
    const groups = new LabelGroups();
    const group = groups.groupOf('op', 'u1', []);
    const members = ['a', 'b', 'c', 'd'].map((key) => member(key, group));
    members.forEach((m) => groups.join(m));
    groups.leave(members[1]);
    groups.leave(members[0]);
    groups.leave(members[3]);
    expect(groups.keysOf('operation', 'op')).toEqual(['c']);
  });

  it('holds no name once every member of every group has left', () => {
    const groups = new LabelGroups();
    const members: GroupMember[] = [];
    for (let i = 0; i < 50; i++) {
      const tags = i % 5 === 0 ? [`t${i}`, 'shared-tag'] : [];
      const m = member(`k${i}`, groups.groupOf(`op${i % 3}`, `u${i % 7}`, tags));
      groups.join(m);
      members.push(m);
    }
    expect(groups.names).toBeGreaterThan(0);
    for (const m of members.reverse()) groups.leave(m);
    expect(groups.names).toBe(0);
  });

  it('ignores a member that leaves twice or never joined', () => {
    const groups = new LabelGroups();
    const group = groups.groupOf('op', 'u1', []);
    const [a, b] = [member('a', group), member('b', group)];
    groups.join(a);
    groups.join(b);
    groups.leave(a);
    groups.leave(a);
    groups.leave(member('stranger', group));
    expect(groups.keysOf('operation', 'op')).toEqual(['b']);
  });

  it('finds a tagged entry by each of its tags, and no entry by the empty tenant', () => {
    const groups = new LabelGroups();
    groups.join(member('a', groups.groupOf('op', '', ['x', 'y'])));
    expect(groups.keysOf('tag', 'x')).toEqual(['a']);
    expect(groups.keysOf('tag', 'y')).toEqual(['a']);
    expect(groups.keysOf('tenant', '')).toEqual([]);
  });

  it('keeps operations, tenants and tags of the same name apart', () => {
    const groups = new LabelGroups();
    groups.join(member('a', groups.groupOf('same', 'other', [])));
    groups.join(member('b', groups.groupOf('other', 'same', [])));
    groups.join(member('c', groups.groupOf('other', 'other', ['same'])));
    expect(groups.keysOf('operation', 'same')).toEqual(['a']);
    expect(groups.keysOf('tenant', 'same')).toEqual(['b']);
    expect(groups.keysOf('tag', 'same')).toEqual(['c']);
  });
});
