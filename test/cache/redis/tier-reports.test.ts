import type { ExecutionEvents } from '../../../src';
import * as tierReportsModule from '../../../src/cache/redis/tier-reports';
import type { RemoteErrorReason, TierReports } from '../../../src/cache/redis/tier-reports';

// tier-reports.ts holds types only. What `npm run typecheck` checks here: the reasons a tier
// reports are exactly those the public `remoteError` event documents.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reasonsArePublic: Same<RemoteErrorReason, ExecutionEvents['remoteError']['reason']> = true;

describe('cache/redis/tier-reports', () => {
  it('holds types only: nothing of it exists at run time', () => {
    expect(Object.keys(tierReportsModule)).toEqual([]);
  });

  it("names the public event's reasons", () => {
    const seen: string[] = [];
    const reports: TierReports = {
      error: (command, reason) => seen.push(`${command}:${reason}`),
      invalidated: () => {},
      resync: () => {},
      breakerStateChange: () => {},
    };
    reports.error('claim', 'timeout');
    expect([seen, reasonsArePublic]).toEqual([['claim:timeout'], true]);
  });
});
