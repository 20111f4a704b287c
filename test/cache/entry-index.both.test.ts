import { EntryIndex, type IndexedEntry } from '../../src/cache/entry-index';

function entry(key: string, operation = 'op', tenant = 'u1', tags: string[] = []): IndexedEntry {
  return {
    key,
    operation,
    tenant,
    tags,
    operationPrev: undefined,
    operationNext: undefined,
    tenantPrev: undefined,
    tenantNext: undefined,
  };
}

const sorted = (keys: string[]): string[] => [...keys].sort();

describe('EntryIndex', () => {
  it.each<[string, number]>([
    ['the newest (list head)', 3],
    ['one in the middle', 1],
    ['the oldest (list tail)', 0],
  ])('forgets %s and keeps the others of its operation and tenant', (_, removed) => {
    const index = new EntryIndex();
    const entries = ['a', 'b', 'c', 'd'].map((k) => entry(k));
    entries.forEach((e) => index.add(e));
    index.remove(entries[removed]);
    const left = sorted(entries.filter((_e, i) => i !== removed).map((e) => e.key));
    expect(sorted(index.keysOf('operation', 'op'))).toEqual(left);
    expect(sorted(index.keysOf('tenant', 'u1'))).toEqual(left);
  });

  it('forgets a name once its last entry is removed, and takes new entries under it again', () => {
    const index = new EntryIndex();
    const only = entry('a', 'op', 'u1', ['t']);
    index.add(only);
    index.remove(only);
    expect(index.keysOf('operation', 'op')).toEqual([]);
    expect(index.keysOf('tenant', 'u1')).toEqual([]);
    expect(index.keysOf('tag', 't')).toEqual([]);
    index.add(entry('b'));
    expect(index.keysOf('operation', 'op')).toEqual(['b']);
  });

  it('removing an entry twice leaves the others in place', () => {
    const index = new EntryIndex();
    const [a, b] = [entry('a'), entry('b')];
    index.add(a);
    index.add(b);
    index.remove(a);
    index.remove(a);
    expect(index.keysOf('operation', 'op')).toEqual(['b']);
  });

  it('indexes no tenant for an entry of none, and each of several tags', () => {
    const index = new EntryIndex();
    index.add(entry('a', 'op', '', ['x', 'y']));
    expect(index.keysOf('tenant', '')).toEqual([]);
    expect(index.keysOf('tag', 'x')).toEqual(['a']);
    expect(index.keysOf('tag', 'y')).toEqual(['a']);
  });

  it('keeps operations and tenants of the same name apart', () => {
    const index = new EntryIndex();
    index.add(entry('a', 'same', 'other'));
    index.add(entry('b', 'other', 'same'));
    expect(index.keysOf('operation', 'same')).toEqual(['a']);
    expect(index.keysOf('tenant', 'same')).toEqual(['b']);
  });
});
