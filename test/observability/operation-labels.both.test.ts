import { OperationLabels, OTHER_OPERATIONS } from '../../src/observability/operation-labels';

describe('OperationLabels', () => {
  it('labels the first `max` operations with their own names', () => {
    const labels = new OperationLabels(2);
    expect([labels.of('A.get'), labels.of('B.get')]).toEqual(['A.get', 'B.get']);
  });

  it("labels every operation past the cap 'other'", () => {
    const labels = new OperationLabels(2);
    labels.of('A.get');
    labels.of('B.get');
    expect(labels.of('C.get')).toBe(OTHER_OPERATIONS);
    expect(OTHER_OPERATIONS).toBe('other');
  });

  it('keeps the name of an operation seen before the cap was reached', () => {
    const labels = new OperationLabels(1);
    labels.of('A.get');
    labels.of('B.get');
    expect(labels.of('A.get')).toBe('A.get');
    expect(labels.of('B.get')).toBe('other');
  });

  it('does not count an operation twice against the cap', () => {
    const labels = new OperationLabels(2);
    labels.of('A.get');
    labels.of('A.get');
    expect(labels.of('B.get')).toBe('B.get');
  });
});
