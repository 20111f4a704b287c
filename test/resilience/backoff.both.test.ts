import { backoffDelay } from '../../src/resilience/backoff';
import { RetryService, TransientError } from '../fixtures/resilience-services';
import { rig } from '../helpers';

/** backoff 100, clamped to [150, 500]: retry 1 hits the lower clamp, retries 4-5 the upper. */
const CLAMPED = { backoff: 100, minDelay: 150, maxDelay: 500 };
const RETRIES = [1, 2, 3, 4, 5];

const alwaysFails = async (call: number): Promise<never> => {
  throw new TransientError(`failure ${call}`);
};

describe('backoffDelay', () => {
  it("with jitter 'none' is clamp(backoff * 2^(n-1), minDelay, maxDelay)", () => {
    const delays = RETRIES.map((n) => backoffDelay(n, { ...CLAMPED, jitter: 'none' }, () => 0.5));
    expect(delays).toEqual([150, 200, 400, 500, 500]);
  });

  it("with jitter 'full' is random() times the clamped delay", () => {
    const delays = RETRIES.map((n) => backoffDelay(n, { ...CLAMPED, jitter: 'full' }, () => 0.5));
    expect(delays).toEqual([75, 100, 200, 250, 250]);
  });

  it("with jitter 'equal' is half the clamped delay plus random() times the other half", () => {
    const delays = RETRIES.map((n) => backoffDelay(n, { ...CLAMPED, jitter: 'equal' }, () => 0.25));
    expect(delays).toEqual([93.75, 125, 250, 312.5, 312.5]);
  });

  it("with jitter 'equal' never waits less than half the clamped delay", () => {
    expect(backoffDelay(2, { ...CLAMPED, jitter: 'equal' }, () => 0)).toBe(100);
  });

  it("with jitter 'full' may wait nothing at all", () => {
    expect(backoffDelay(2, { ...CLAMPED, jitter: 'full' }, () => 0)).toBe(0);
  });
});

describe('retry waits', () => {
  it("of @Retry with jitter 'none' follow the clamped exponential sequence", async () => {
    const { waits } = rig();
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.clamped()).rejects.toThrow('failure 6');
    expect(waits).toEqual([150, 200, 400, 500, 500]);
  });

  it("of @Retry with jitter 'full' use the service's injected random", async () => {
    const { waits } = rig({ retryJitter: 'full', random: () => 0.5 });
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.clamped()).rejects.toThrow('failure 6');
    expect(waits).toEqual([75, 100, 200, 250, 250]);
  });

  it("of @Retry with jitter 'equal' use the service's injected random", async () => {
    const { waits } = rig({ retryJitter: 'equal', random: () => 0.25 });
    const svc = new RetryService();
    svc.script = alwaysFails;
    await expect(svc.clamped()).rejects.toThrow('failure 6');
    expect(waits).toEqual([93.75, 125, 250, 312.5, 312.5]);
  });

  it('of createRetryStrategy follow the same clamped sequence', async () => {
    const { utils, waits } = rig();
    const retried = utils.createRetryStrategy('op', { attempts: 6, ...CLAMPED })(alwaysFails);
    await expect(retried(0)).rejects.toThrow(TransientError);
    expect(waits).toEqual([150, 200, 400, 500, 500]);
  });

  it("of executeWithRetryAndTimeout follow the service's clamped sequence", async () => {
    const { utils, waits } = rig({
      retryAttempts: 6,
      retryBackoff: 100,
      retryMinDelay: 150,
      retryMaxDelay: 500,
    });
    await expect(utils.executeWithRetryAndTimeout(alwaysFails, 60_000, 0)).rejects.toThrow(
      TransientError,
    );
    expect(waits).toEqual([150, 200, 400, 500, 500]);
  });
});
