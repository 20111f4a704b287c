import {
  validateBulkheadSpec,
  type BulkheadDecoratorOptions,
} from '../../src/resilience/bulkhead-spec';
import { configErrorOf } from '../helpers';

const untyped = (value: unknown): BulkheadDecoratorOptions => value as BulkheadDecoratorOptions;

describe('validateBulkheadSpec', () => {
  it('accepts a name with bulkhead settings', () => {
    expect(() =>
      validateBulkheadSpec(
        { name: 'db', maxConcurrent: 4, maxQueue: 10, priority: 1 },
        '@Bulkhead',
      ),
    ).not.toThrow();
  });

  it('refuses an empty name', () => {
    expect(configErrorOf(() => validateBulkheadSpec({ name: '' }, '@Bulkhead')).option).toBe(
      '@Bulkhead.name',
    );
  });

  it('refuses an unknown key, naming the closest known option', () => {
    const error = configErrorOf(() =>
      validateBulkheadSpec(untyped({ maxConcurent: 3 }), '@Bulkhead'),
    );
    expect(error.message).toContain("'maxConcurrent'");
  });

  it('refuses a bad bulkhead setting, naming it under the label', () => {
    expect(
      configErrorOf(() => validateBulkheadSpec({ maxQueue: -1 }, 'wrap(x).bulkhead')).option,
    ).toBe('wrap(x).bulkhead.maxQueue');
  });

  it('refuses a spec that is not an object', () => {
    expect(configErrorOf(() => validateBulkheadSpec(untyped('db'), '@Bulkhead')).option).toBe(
      '@Bulkhead',
    );
  });
});
