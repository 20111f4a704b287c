import { Cached, CircuitBreaker, ConfigError } from '../../src';
import { rig } from '../helpers';

// Two modules that each declare `class Repo` (or a minifier that names both `e`): same class
// name, two different classes.
function moduleA() {
  class Repo {
    @Cached()
    async get(id: number): Promise<string> {
      return `A${id}`;
    }
  }
  return Repo;
}

function moduleB() {
  class Repo {
    @Cached()
    async get(id: number): Promise<string> {
      return `B${id}`;
    }
  }
  return Repo;
}

function namedModule(prefix: string) {
  class Repo {
    @Cached({ name: `${prefix}Repo.get` })
    async get(id: number): Promise<string> {
      return `${prefix}${id}`;
    }
  }
  return Repo;
}

function breakerModule(fail: boolean) {
  class Payments {
    @CircuitBreaker({ consecutiveFailures: 1 })
    async charge(): Promise<string> {
      if (fail) throw new Error('down');
      return 'charged';
    }
  }
  return Payments;
}

class Shop {
  @Cached()
  async price(id: number): Promise<string> {
    return `shop${id}`;
  }
}

class Stock {
  @Cached()
  async price(id: number): Promise<string> {
    return `stock${id}`;
  }
}

describe('operation identity (both decorator standards)', () => {
  it('refuses a second class of the same name with a ConfigError that says to pass a name', async () => {
    rig();
    const a = new (moduleA())();
    const b = new (moduleB())();
    expect(await a.get(1)).toBe('A1');
    const error = await b.get(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/Repo\.get.*name/);
    // The first class keeps working, and never sees the other's data.
    expect(await a.get(1)).toBe('A1');
  });

  it('never lets one class see the cached result of another class of the same name', async () => {
    rig();
    const a = new (moduleA())();
    const b = new (moduleB())();
    await a.get(1);
    await expect(b.get(1)).rejects.toBeInstanceOf(ConfigError);
  });

  it('keeps classes of the same name apart once each has its own name', async () => {
    const { utils } = rig();
    const a = new (namedModule('A'))();
    const b = new (namedModule('B'))();
    expect(await a.get(1)).toBe('A1');
    expect(await b.get(1)).toBe('B1');
    expect(await a.get(1)).toBe('A1');
    expect(utils.getStats().hits).toBe(1);
  });

  it("does not let one class's open breaker refuse another class of the same name", async () => {
    rig();
    const failing = new (breakerModule(true))();
    const healthy = new (breakerModule(false))();
    await expect(failing.charge()).rejects.toThrow('down');
    await expect(healthy.charge()).rejects.toBeInstanceOf(ConfigError);
  });

  it('keys an unbound call by its declaring class, not by the bare method name', async () => {
    const { utils } = rig();
    const shopPrice = new Shop().price;
    const stockPrice = new Stock().price;
    expect(await shopPrice(1)).toBe('shop1');
    expect(await stockPrice(1)).toBe('stock1');
    expect(await shopPrice(1)).toBe('shop1');
    const key = utils.generateCacheKey('Shop.price', '', '', [1]);
    expect(utils.getFromCache(key)).toBe('shop1');
  });

  it('lets the same class be used by two services, and by many instances', async () => {
    rig();
    const A = moduleA();
    expect(await new A().get(1)).toBe('A1');
    expect(await new A().get(2)).toBe('A2');
    rig();
    expect(await new A().get(1)).toBe('A1');
  });
});
