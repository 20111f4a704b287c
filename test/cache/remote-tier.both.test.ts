import type { RemoteHealth as PublicRemoteHealth } from '../../src';
import * as remoteTierModule from '../../src/cache/remote-tier';
import type { RemoteHealth, RemoteTier } from '../../src/cache/remote-tier';
import { FakeRemote } from '../pipeline/support';

// remote-tier.ts holds the shared tier's interface only. What `npm run typecheck` checks here:
// the tests' fake implements it, and the public entry exports its health type as this one. (The
// Redis tier implements it where it is declared: `class RedisTier implements RemoteTier`.)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const fakeImplementsIt: RemoteTier = new FakeRemote();
const publicHealthIsIt: Same<PublicRemoteHealth, RemoteHealth> = true;

describe('cache/remote-tier', () => {
  it('holds types only: nothing of it exists at run time', () => {
    expect(Object.keys(remoteTierModule)).toEqual([]);
  });

  it('is implemented by the test fake, and its health type is the public one', () => {
    expect([typeof fakeImplementsIt.claim, publicHealthIsIt]).toEqual(['function', true]);
  });
});
