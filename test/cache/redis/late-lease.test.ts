import { LateLease } from '../../../src/cache/redis/late-lease';

const HELD = { fence: 9, held: true, token: 'tok' };
const WAITED = { fence: 4, held: false, token: '' };

describe('LateLease', () => {
  it('holds nothing until its reply comes, like a claim that never reached Redis', () => {
    const late = new LateLease(undefined);
    expect({ fence: late.fence, held: late.held, token: late.token }).toEqual({
      fence: 0,
      held: false,
      token: '',
    });
  });

  it('settles with the lock the late reply granted', async () => {
    const late = new LateLease(WAITED);
    late.settle(HELD);
    await expect(late.settled).resolves.toBe(HELD);
  });

  it('settles with the lease of a caller that had waited when the reply grants no lock', async () => {
    const late = new LateLease(WAITED);
    late.settle(undefined);
    await expect(late.settled).resolves.toBe(WAITED);
  });

  it('settles with nothing when there is neither', async () => {
    const late = new LateLease(undefined);
    late.settle(undefined);
    await expect(late.settled).resolves.toBeUndefined();
  });

  it('keeps its first answer', async () => {
    const late = new LateLease(undefined);
    late.settle(undefined);
    late.settle(HELD);
    await expect(late.settled).resolves.toBeUndefined();
  });
});
