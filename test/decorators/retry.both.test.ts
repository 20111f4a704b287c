import { ConfigError, Retry } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, rig } from '../helpers';

class Flaky {
  calls = 0;

  @Retry({ attempts: 3, backoff: 100, minDelay: 100 })
  async load(): Promise<number> {
    if (++this.calls < 3) throw new Error('transient');
    return this.calls;
  }

  @Retry('tight')
  async profiled(): Promise<number> {
    return 1;
  }
}

describe('@Retry', () => {
  it("records its options as the method's retry policy", () => {
    expect(policiesOf(Flaky.prototype.load)?.retry).toEqual({
      attempts: 3,
      backoff: 100,
      minDelay: 100,
    });
  });

  it('records a profile name as given', () => {
    expect(policiesOf(Flaky.prototype.profiled)?.retry).toBe('tight');
  });

  it('retries a transient failure and returns the third result, after backing off', async () => {
    const { waits } = rig();
    const flaky = new Flaky();
    await expect(flaky.load()).resolves.toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => Retry({ attempts: 0 })).option).toBe('@Retry.attempts');
  });

  it('refuses to be applied twice to one method', () => {
    expect(() => {
      class Twice {
        @Retry()
        @Retry()
        async m(): Promise<number> {
          return 1;
        }
      }
      return Twice;
    }).toThrow(ConfigError);
  });
});
