import { CircuitBreaker, CircuitOpenError, ConfigError } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, rig } from '../helpers';

class Payments {
  calls = 0;

  @CircuitBreaker({ consecutiveFailures: 2 })
  async charge(): Promise<never> {
    this.calls++;
    throw new Error('gateway down');
  }

  @CircuitBreaker('shared-gateway')
  async refund(): Promise<number> {
    return 1;
  }
}

describe('@CircuitBreaker', () => {
  it("records its options as the method's breaker", () => {
    expect(policiesOf(Payments.prototype.charge)?.breaker).toEqual({ consecutiveFailures: 2 });
  });

  it('records a breaker name as given', () => {
    expect(policiesOf(Payments.prototype.refund)?.breaker).toBe('shared-gateway');
  });

  it('opens after its threshold and then refuses calls without running them', async () => {
    rig();
    const payments = new Payments();
    await expect(payments.charge()).rejects.toThrow('gateway down');
    await expect(payments.charge()).rejects.toThrow('gateway down');
    await expect(payments.charge()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(payments.calls).toBe(2);
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => CircuitBreaker({ consecutiveFailures: 0 })).option).toBe(
      '@CircuitBreaker.consecutiveFailures',
    );
  });

  it('refuses to be applied twice to one method', () => {
    expect(() => {
      class Twice {
        @CircuitBreaker()
        @CircuitBreaker()
        async m(): Promise<number> {
          return 1;
        }
      }
      return Twice;
    }).toThrow(ConfigError);
  });
});
