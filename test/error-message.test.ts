import { errorMessage } from '../src/error-message';

describe('errorMessage', () => {
  it("gives an Error's message", () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input');
  });

  it('gives anything else as a string', () => {
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });

  it('names a value whose toString throws by its type instead of throwing', () => {
    const hostile = {
      toString() {
        throw new Error('no text for you');
      },
    };
    expect(errorMessage(hostile)).toBe('[object Object]');
    expect(errorMessage(Object.create(null))).toBe('[object Object]');
  });
});
