import { ConfigError, Timeout, TimeoutError } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, rig } from '../helpers';

class Slow {
  @Timeout(100)
  async hang(): Promise<never> {
    return new Promise(() => {});
  }

  @Timeout({ ms: 50, operation: 'slow-profile' })
  async withOptions(): Promise<number> {
    return 1;
  }
}

describe('@Timeout', () => {
  it('records a number as the ms of its policy', () => {
    expect(policiesOf(Slow.prototype.hang)?.timeout).toEqual({ ms: 100 });
  });

  it('records options as given', () => {
    expect(policiesOf(Slow.prototype.withOptions)?.timeout).toEqual({
      ms: 50,
      operation: 'slow-profile',
    });
  });

  it('rejects a call that outlasts its limit with a TimeoutError', async () => {
    const { clock } = rig();
    const result = new Slow().hang().catch((e: unknown) => e);
    await clock.advance(100);
    expect(await result).toBeInstanceOf(TimeoutError);
  });

  it('refuses a negative limit where it is applied', () => {
    expect(configErrorOf(() => Timeout(-1)).option).toBe('@Timeout.ms');
  });

  it('refuses to be applied twice to one method', () => {
    expect(() => {
      class Twice {
        @Timeout(1)
        @Timeout(2)
        async m(): Promise<number> {
          return 1;
        }
      }
      return Twice;
    }).toThrow(ConfigError);
  });
});
