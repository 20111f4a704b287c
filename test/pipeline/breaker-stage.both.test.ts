import { CircuitOpenError, runWithContext } from '../../src';
import { breakerStage } from '../../src/pipeline/breaker-stage';
import type { Stage } from '../../src/pipeline/stage';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { ManualClock } from '../../src/testing/manual-clock';

function setup(next: Stage) {
  const breaker = new CircuitBreaker('payments', { consecutiveFailures: 2 }, new ManualClock());
  let refused = 0;
  const stage = breakerStage(next, breaker, () => void refused++);
  return { stage, breaker, refused: () => refused };
}

/** One call through the stage, its failure swallowed. */
const attempt = (stage: Stage): Promise<unknown> =>
  (stage(undefined, []) as Promise<unknown>).catch(() => undefined);

const failing: Stage = () => Promise.reject(new Error('down'));

describe('breakerStage', () => {
  it('returns the attempt value and keeps the breaker closed', async () => {
    const { stage, breaker } = setup(() => Promise.resolve('v'));
    await expect(stage(undefined, [])).resolves.toBe('v');
    expect(breaker.state).toBe('closed');
  });

  it('reports failures to the breaker, which opens after its threshold', async () => {
    const { stage, breaker } = setup(failing);
    await expect(stage(undefined, [])).rejects.toThrow('down');
    expect(breaker.state).toBe('closed');
    await expect(stage(undefined, [])).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });

  it('refuses an attempt at once while open, without running it, and reports the refusal', async () => {
    const next = jest.fn(failing);
    const { stage, refused } = setup(next);
    await attempt(stage);
    await attempt(stage);
    next.mockClear();
    await expect(stage(undefined, [])).rejects.toBeInstanceOf(CircuitOpenError);
    expect(next).not.toHaveBeenCalled();
    expect(refused()).toBe(1);
  });

  it('lets a success reset the failure streak', async () => {
    let fail = true;
    const { stage, breaker } = setup(() =>
      fail ? Promise.reject(new Error('down')) : Promise.resolve('v'),
    );
    await attempt(stage);
    fail = false;
    await stage(undefined, []);
    fail = true;
    await attempt(stage);
    expect(breaker.state).toBe('closed');
  });

  it("does not count an attempt ended by the caller's own abort as a failure", async () => {
    const controller = new AbortController();
    const { stage, breaker } = setup(() => {
      controller.abort();
      return Promise.reject(new Error('aborted'));
    });
    for (let i = 0; i < 3; i++) {
      await runWithContext({ signal: controller.signal }, () => attempt(stage));
    }
    expect(breaker.state).toBe('closed');
  });
});
