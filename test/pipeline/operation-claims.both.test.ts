import { ConfigError } from '../../src';
import { OperationClaims } from '../../src/pipeline/operation-claims';
import { thrownBy } from '../helpers';

describe('OperationClaims', () => {
  it('lets the first method take a name', () => {
    const claims = new OperationClaims();
    expect(() =>
      claims.claim({ operation: 'Repo.get', identity: {}, explicitName: false }),
    ).not.toThrow();
  });

  it('lets the same method claim its name again', () => {
    const claims = new OperationClaims();
    const identity = {};
    claims.claim({ operation: 'Repo.get', identity, explicitName: false });
    expect(() =>
      claims.claim({ operation: 'Repo.get', identity, explicitName: false }),
    ).not.toThrow();
  });

  it('refuses a second method of the same implicit name with a ConfigError that says to pass a name', () => {
    const claims = new OperationClaims();
    claims.claim({ operation: 'Repo.get', identity: {}, explicitName: false });
    const error = thrownBy(ConfigError, () =>
      claims.claim({ operation: 'Repo.get', identity: {}, explicitName: false }),
    );
    expect(error.message).toContain("'Repo.get'");
    expect(error.message).toContain('@Cached({ name })');
  });

  it('lets two methods share a name both gave on purpose', () => {
    const claims = new OperationClaims();
    claims.claim({ operation: 'users', identity: {}, explicitName: true });
    expect(() =>
      claims.claim({ operation: 'users', identity: {}, explicitName: true }),
    ).not.toThrow();
  });

  it('refuses an explicit name that an implicitly named method already holds', () => {
    const claims = new OperationClaims();
    claims.claim({ operation: 'Repo.get', identity: {}, explicitName: false });
    expect(() => claims.claim({ operation: 'Repo.get', identity: {}, explicitName: true })).toThrow(
      ConfigError,
    );
  });

  it('keeps the claims of different names apart', () => {
    const claims = new OperationClaims();
    claims.claim({ operation: 'A.get', identity: {}, explicitName: false });
    expect(() =>
      claims.claim({ operation: 'B.get', identity: {}, explicitName: false }),
    ).not.toThrow();
  });

  it('keeps each instance of the registry to itself (one per service)', () => {
    const identity = {};
    new OperationClaims().claim({ operation: 'Repo.get', identity, explicitName: false });
    expect(() =>
      new OperationClaims().claim({ operation: 'Repo.get', identity: {}, explicitName: false }),
    ).not.toThrow();
  });
});
