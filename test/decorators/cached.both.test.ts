import { Cached, ConfigError } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, rig } from '../helpers';

class Catalog {
  calls = 0;

  @Cached({ ttl: 1_000 })
  async find(id: string): Promise<string> {
    return `${id}-${++this.calls}`;
  }

  @Cached()
  total(a: number, b: number): number {
    this.calls++;
    return a + b;
  }
}

describe('@Cached', () => {
  it("records its options as the method's cache policy", () => {
    expect(policiesOf(Catalog.prototype.find)?.cache).toEqual({ ttl: 1_000 });
  });

  it('records an empty policy when given no options', () => {
    expect(policiesOf(Catalog.prototype.total)?.cache).toEqual({});
  });

  it('serves a second call with the same arguments from the cache', async () => {
    rig();
    const catalog = new Catalog();
    await expect(catalog.find('a')).resolves.toBe('a-1');
    await expect(catalog.find('a')).resolves.toBe('a-1');
    await expect(catalog.find('b')).resolves.toBe('b-2');
  });

  it('keeps its TTL: an entry expires after it', async () => {
    const { clock } = rig();
    const catalog = new Catalog();
    await catalog.find('a');
    await clock.advance(1_000);
    await expect(catalog.find('a')).resolves.toBe('a-2');
  });

  it('keeps a sync method sync', () => {
    rig();
    const catalog = new Catalog();
    expect(catalog.total(1, 2)).toBe(3);
    expect(catalog.total(1, 2)).toBe(3);
    expect(catalog.calls).toBe(1);
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => Cached({ ttl: -1 })).option).toBe('@Cached.ttl');
  });

  it('refuses to be applied twice to one method', () => {
    expect(() => {
      class Twice {
        @Cached()
        @Cached()
        async m(): Promise<number> {
          return 1;
        }
      }
      return Twice;
    }).toThrow(ConfigError);
  });
});
