import * as main from '../../src';
import * as testing from '../../src/testing';

// `execution-utils/testing` (package.json "exports" and "typesVersions") is src/testing/index.ts.
describe('the execution-utils/testing entry point', () => {
  it('exports ManualClock, the same class the main entry still exports (deprecated there)', () => {
    expect(Object.keys(testing)).toEqual(['ManualClock']);
    expect(testing.ManualClock).toBe(main.ManualClock);
    expect(new testing.ManualClock(5).now()).toBe(5);
  });
});
