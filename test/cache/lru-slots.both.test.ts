import { LruSlots, NO_SLOT } from '../../src/cache/lru-slots';

/** Keys from least to most recently used, by evicting every slot in turn. */
function orderOf(slots: LruSlots): string[] {
  const order: string[] = [];
  while (slots.leastRecent !== NO_SLOT) {
    const slot = slots.leastRecent;
    order.push(slots.keys[slot]!);
    slots.release(slot);
  }
  return order;
}

const noEviction = (): void => {
  throw new Error('evicted with a slot free');
};

describe('LruSlots', () => {
  it('hands out distinct slots and finds each key by its own', () => {
    const slots = new LruSlots(3);
    const a = slots.claim('a', noEviction);
    const b = slots.claim('b', noEviction);
    expect(a).not.toBe(b);
    expect(slots.find('a')).toBe(a);
    expect(slots.find('b')).toBe(b);
    expect(slots.find('c')).toBeUndefined();
    expect(slots.size).toBe(2);
  });

  it('keeps least-recently-used order, a touched slot moving to the most recent end', () => {
    const slots = new LruSlots(4);
    for (const key of ['a', 'b', 'c', 'd']) slots.claim(key, noEviction);
    slots.touch(slots.find('b')!);
    slots.touch(slots.find('a')!);
    slots.touch(slots.find('a')!);
    expect(orderOf(slots)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('asks to evict the least recently used slot when full, and reuses it', () => {
    const slots = new LruSlots(2);
    const a = slots.claim('a', noEviction);
    slots.claim('b', noEviction);
    const evicted: string[] = [];
    const c = slots.claim('c', (slot) => {
      evicted.push(slots.keys[slot]!);
      slots.release(slot);
    });
    expect(evicted).toEqual(['a']);
    expect(c).toBe(a);
    expect(slots.find('a')).toBeUndefined();
    expect(orderOf(slots)).toEqual(['b', 'c']);
  });

  it('reuses a released slot before evicting anything', () => {
    const slots = new LruSlots(2);
    slots.claim('a', noEviction);
    const b = slots.claim('b', noEviction);
    slots.release(b);
    expect(slots.claim('c', noEviction)).toBe(b);
    expect(slots.size).toBe(2);
  });

  it('lists every slot in use, and forgets them all on clear()', () => {
    const slots = new LruSlots(3);
    const claimed = ['a', 'b', 'c'].map((key) => slots.claim(key, noEviction));
    expect(slots.slots().sort()).toEqual([...claimed].sort());
    slots.clear();
    expect(slots.size).toBe(0);
    expect(slots.leastRecent).toBe(NO_SLOT);
    expect(slots.find('a')).toBeUndefined();
    expect(slots.claim('d', noEviction)).toBe(0);
  });
});
