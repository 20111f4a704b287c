import { Bulkhead, BulkheadRejectedError, ConfigError } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, deferred, rig } from '../helpers';

class Reports {
  gate = deferred<string>();

  @Bulkhead({ maxConcurrent: 1 })
  async build(): Promise<string> {
    return this.gate.promise;
  }
}

describe('@Bulkhead', () => {
  it("records its options as the method's bulkhead", () => {
    expect(policiesOf(Reports.prototype.build)?.bulkhead).toEqual({ maxConcurrent: 1 });
  });

  it('rejects a call over its limit at once, and lets the running one finish', async () => {
    rig();
    const reports = new Reports();
    const running = reports.build();
    await expect(reports.build()).rejects.toBeInstanceOf(BulkheadRejectedError);
    reports.gate.resolve('done');
    await expect(running).resolves.toBe('done');
  });

  it('refuses invalid options where it is applied, naming the option', () => {
    expect(configErrorOf(() => Bulkhead({ maxConcurrent: 0 })).option).toBe(
      '@Bulkhead.maxConcurrent',
    );
  });

  it('refuses to be applied twice to one method', () => {
    expect(() => {
      class Twice {
        @Bulkhead()
        @Bulkhead()
        async m(): Promise<number> {
          return 1;
        }
      }
      return Twice;
    }).toThrow(ConfigError);
  });
});
