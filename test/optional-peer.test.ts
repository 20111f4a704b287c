import * as path from 'node:path';
import { ConfigError } from '../src/errors';
import { loadOptionalPeer } from '../src/optional-peer';

describe('loadOptionalPeer', () => {
  it('returns the module as require gives it', () => {
    expect(loadOptionalPeer<typeof path>('node:path', 'Paths', 'paths').join).toBe(path.join);
  });

  it('turns a package that cannot be loaded into a ConfigError naming it, why, and the ways out', () => {
    let thrown: unknown;
    try {
      loadOptionalPeer('execution-utils-no-such-package', 'Imaginary metrics', 'imaginary');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.option).toBe('imaginary');
    expect(error.message).toMatch(
      /^imaginary: Imaginary metrics use execution-utils-no-such-package/,
    );
    expect(error.message).toContain('Cannot find module');
    expect(error.message).toContain('npm install execution-utils-no-such-package');
    expect(error.message).toContain('leave the `imaginary` option out');
  });
});
