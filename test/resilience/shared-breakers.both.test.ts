import { CircuitOpenError } from '../../src';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { SharedBreakers } from '../../src/resilience/shared-breakers';
import { ManualClock } from '../../src/testing';
import { FakeRemote } from '../pipeline/support';

function setup() {
  const clock = new ManualClock();
  const remote = new FakeRemote();
  const sharing = new SharedBreakers(remote, clock);
  const make = (name = 'payments') => {
    const breaker: CircuitBreaker = new CircuitBreaker(
      name,
      { consecutiveFailures: 1, halfOpenAfter: 1_000 },
      clock,
      (_from, to) => sharing.changed(name, to),
    );
    sharing.share(breaker);
    return breaker;
  };
  const hear = (state: 'open' | 'closed', openMs: number, name = 'payments') =>
    remote.breakerListener!(name, state, openMs);
  return { clock, remote, make, hear };
}

const refuses = (breaker: CircuitBreaker): boolean => {
  try {
    breaker.release(breaker.acquire());
    return false;
  } catch (error) {
    return error instanceof CircuitOpenError;
  }
};

describe('SharedBreakers', () => {
  it('tells the others when a breaker opens here, and when it closes', async () => {
    const { clock, remote, make } = setup();
    const breaker = make();
    breaker.failure(breaker.acquire(), new Error('down'));
    await clock.advance(1_000);
    breaker.success(breaker.acquire());
    expect(remote.breakerMessages).toEqual([
      { name: 'payments', state: 'open', openMs: 1_000 },
      { name: 'payments', state: 'closed', openMs: 0 },
    ]);
  });

  it('opens on an opening heard, for twice its period (the trial is the sender’s), then closes when told', async () => {
    const { clock, remote, make, hear } = setup();
    const breaker = make();
    hear('open', 1_000);
    expect(refuses(breaker)).toBe(true);
    await clock.advance(1_999);
    expect(refuses(breaker)).toBe(true);
    hear('closed', 0);
    expect(breaker.state).toBe('closed');
    // What it heard is not sent back.
    expect(remote.breakerMessages).toEqual([]);
  });

  it('claims the trial when it opens, and gives it up when its trial closes the breaker', async () => {
    const { clock, remote, make } = setup();
    const breaker = make();
    breaker.failure(breaker.acquire(), new Error('down'));
    await clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
    breaker.success(breaker.acquire());
    expect(remote.trials).toEqual(['claim payments', 'release payments']);
  });

  it('opens a breaker made while another process has it open, for what the claim on its trial has left', async () => {
    const { clock, remote, make } = setup();
    remote.openLeftAnswer = 1_500;
    const breaker = make();
    await Promise.resolve();
    expect(remote.openLeftAsked).toEqual(['payments']);
    expect(refuses(breaker)).toBe(true);
    await clock.advance(1_499);
    expect(breaker.state).toBe('open');
    await clock.advance(1);
    expect(breaker.state).toBe('half-open');
    // Opened by what Redis said, not by itself: nothing is sent back, no trial claimed.
    expect(remote.breakerMessages).toEqual([]);
    expect(remote.trials).toEqual([]);
  });

  it.each([
    ['no process has it open', 0],
    ['Redis cannot say', undefined],
  ])('leaves a new breaker closed when %s', async (_, answer) => {
    const { remote, make } = setup();
    remote.openLeftAnswer = answer;
    const breaker = make();
    await Promise.resolve();
    expect(refuses(breaker)).toBe(false);
    expect(breaker.state).toBe('closed');
  });

  it('keeps an opening heard before Redis answered (it is newer than the claim read)', async () => {
    const { clock, remote, make, hear } = setup();
    remote.openLeftAnswer = 100;
    const breaker = make();
    hear('open', 1_000);
    await Promise.resolve();
    await clock.advance(1_999);
    expect(breaker.state).toBe('open');
  });

  it('does not ask Redis for a breaker that opens on an opening heard before it was made', async () => {
    const { remote, make, hear } = setup();
    hear('open', 1_000);
    const breaker = make();
    expect(refuses(breaker)).toBe(true);
    expect(remote.openLeftAsked).toEqual([]);
  });

  it('waits twice the period for the verdict when another process holds the trial', async () => {
    const { clock, remote, make } = setup();
    remote.trialAnswer = false;
    const breaker = make();
    breaker.failure(breaker.acquire(), new Error('down'));
    await clock.advance(1_000);
    expect(breaker.state).toBe('open');
    await clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
  });

  it('keeps a trial it holds due on time, whatever opening it hears meanwhile', async () => {
    const { clock, remote, make, hear } = setup();
    let answer!: (mine: boolean) => void;
    remote.claimBreakerTrial = () => new Promise((resolve) => (answer = resolve));
    const breaker = make();
    breaker.failure(breaker.acquire(), new Error('down'));
    // Another process opened at about the same time; its message comes before Redis's answer.
    hear('open', 1_000);
    answer(true);
    await clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
  });

  it('turns half-open itself when the verdict never comes', async () => {
    const { clock, make, hear } = setup();
    const breaker = make();
    hear('open', 1_000);
    await clock.advance(2_000);
    expect(breaker.state).toBe('half-open');
  });

  it('keeps its own trial when it opened too and its period ends first', async () => {
    const { clock, make, hear } = setup();
    const breaker = make();
    breaker.failure(breaker.acquire(), new Error('down'));
    await clock.advance(100);
    hear('open', 1_000);
    await clock.advance(900);
    expect(breaker.state).toBe('half-open');
  });

  it('applies an opening heard before the breaker was made', async () => {
    const { clock, make, hear } = setup();
    hear('open', 500);
    await clock.advance(200);
    const breaker = make();
    expect(refuses(breaker)).toBe(true);
    await clock.advance(800);
    expect(breaker.state).toBe('half-open');
  });

  it('keeps an isolated breaker to itself', () => {
    const { remote, make } = setup();
    make().isolate();
    expect(remote.breakerMessages).toEqual([]);
  });
});
