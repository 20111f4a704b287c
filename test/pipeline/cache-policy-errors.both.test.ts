import { Cached, runWithContext } from '../../src';
import { rig } from '../helpers';

class Fragile {
  calls = 0;

  @Cached({
    key: (args) => {
      if (args[0] === 'bad') throw new Error('key function bug');
      return args[0];
    },
  })
  async keyed(id: string): Promise<string> {
    this.calls++;
    return `v-${id}`;
  }

  @Cached({
    cacheIf: () => {
      throw new Error('cacheIf bug');
    },
  })
  async judged(id: string): Promise<string> {
    this.calls++;
    return `v-${id}`;
  }

  @Cached({ ttl: () => 1.5 })
  async fractionalTtl(): Promise<string> {
    this.calls++;
    return 'v';
  }

  @Cached()
  async tenantless(id: string): Promise<string> {
    this.calls++;
    return `v-${id}-${this.calls}`;
  }

  @Cached({ tenant: 'shared' })
  async shared(): Promise<number> {
    return ++this.calls;
  }
}

describe('a cache policy that fails never fails a call whose method succeeded', () => {
  it('runs the call uncached, still returning a Promise, when the key function throws', async () => {
    const { utils } = rig();
    const svc = new Fragile();
    const call = svc.keyed('bad');
    expect(call).toBeInstanceOf(Promise);
    await expect(call).resolves.toBe('v-bad');
    await expect(svc.keyed('bad')).resolves.toBe('v-bad');
    expect(svc.calls).toBe(2);
    expect(utils.getStats()).toMatchObject({ uncached: 2, sets: 0 });
    await svc.keyed('good');
    await svc.keyed('good');
    expect(svc.calls).toBe(3);
  });

  it('returns the result and counts it refused when cacheIf throws', async () => {
    const { utils } = rig();
    const svc = new Fragile();
    await expect(svc.judged('a')).resolves.toBe('v-a');
    expect(utils.getStats()).toMatchObject({ refused: 1, sets: 0 });
  });

  it('returns the result and counts it refused when ttl(result) is not a whole number of ms', async () => {
    const { utils } = rig();
    await expect(new Fragile().fractionalTtl()).resolves.toBe('v');
    expect(utils.getStats()).toMatchObject({ refused: 1, sets: 0 });
  });
});

describe("the service's default tenant mode", () => {
  it("runs calls outside runWithContext uncached with tenant: 'required'", async () => {
    const { utils } = rig({ tenant: 'required' });
    const svc = new Fragile();
    expect(await svc.tenantless('a')).toBe('v-a-1');
    expect(await svc.tenantless('a')).toBe('v-a-2');
    expect(utils.getStats().uncached).toBe(2);
    await runWithContext({ userId: 'u1' }, async () => {
      expect(await svc.tenantless('a')).toBe('v-a-3');
      expect(await svc.tenantless('a')).toBe('v-a-3');
    });
  });

  it("lets a decorator's own tenant beat the service default", async () => {
    rig({ tenant: 'required' });
    const svc = new Fragile();
    expect(await svc.shared()).toBe(1);
    expect(await svc.shared()).toBe(1);
  });
});
