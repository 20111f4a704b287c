import { MemoryStore } from '../../src/cache/memory-store';
import type { Claim, Lease, RemoteHealth, RemoteTier } from '../../src/cache/remote-tier';
import type { CacheEntry, Invalidation } from '../../src/cache/store';
import { ServiceCache } from '../../src/cache/service-cache';
import type { Clock } from '../../src/clock';
import { EventBus } from '../../src/observability/events';
import { Probe } from '../../src/observability/probe';
import { newCounters, type Counters } from '../../src/observability/stats';
import { ManualClock } from '../../src/testing/manual-clock';

/** One operation's probe with its counters and event bus in reach, for a stage under test. */
export interface ProbeRig {
  probe: Probe;
  counters: Counters;
  bus: EventBus;
  clock: ManualClock;
}

export function probeRig(operation = 'Svc.op', clock = new ManualClock()): ProbeRig {
  const counters = newCounters();
  const bus = new EventBus();
  const probe = new Probe(operation, clock, counters, newCounters(), bus);
  return { probe, counters, bus, clock };
}

/** A service cache over a 100-entry memory store on `clock`, with an optional shared tier. */
export function memoryCache(clock: Clock, remote?: RemoteTier): ServiceCache {
  return new ServiceCache(new MemoryStore(100, 60_000, clock, () => {}), remote);
}

/** A shared tier that answers `claim` with what the test sets, and records what it was asked. */
export class FakeRemote implements RemoteTier {
  claimAnswer: Claim = { kind: 'lease', lease: { fence: 7, held: true, token: 'tok' } };
  readonly claims: string[] = [];
  readonly writes: { key: string; entry: CacheEntry; lease: Lease }[] = [];
  readonly releases: { key: string; lease: Lease }[] = [];
  readonly invalidations: Invalidation[] = [];

  claim(key: string): Promise<Claim> {
    this.claims.push(key);
    return Promise.resolve(this.claimAnswer);
  }

  write(key: string, entry: CacheEntry, lease: Lease): Promise<void> {
    this.writes.push({ key, entry, lease });
    return Promise.resolve();
  }

  release(key: string, lease: Lease): Promise<void> {
    this.releases.push({ key, lease });
    return Promise.resolve();
  }

  invalidate(what: Invalidation): Promise<void> {
    this.invalidations.push(what);
    return Promise.resolve();
  }

  /** What `admit` answers: a wait in ms (0: admitted), or undefined for a tier that is down. */
  admitAnswer: number | undefined = 0;
  readonly admissions: string[] = [];

  admit(limiter: string, budget: string): Promise<number | undefined> {
    this.admissions.push(`${limiter}/${budget}`);
    return Promise.resolve(this.admitAnswer);
  }

  readonly breakerMessages: { name: string; state: 'open' | 'closed'; openMs: number }[] = [];
  breakerListener: ((name: string, state: 'open' | 'closed', openMs: number) => void) | undefined;

  publishBreaker(name: string, state: 'open' | 'closed', openMs: number): Promise<void> {
    this.breakerMessages.push({ name, state, openMs });
    return Promise.resolve();
  }

  /** What `claimBreakerTrial` answers; the trials claimed and released. */
  trialAnswer: boolean | undefined = true;
  readonly trials: string[] = [];

  claimBreakerTrial(name: string): Promise<boolean | undefined> {
    this.trials.push(`claim ${name}`);
    return Promise.resolve(this.trialAnswer);
  }

  releaseBreakerTrial(name: string): Promise<void> {
    this.trials.push(`release ${name}`);
    return Promise.resolve();
  }

  /** What `breakerOpenLeft` answers (ms another process keeps the breaker open); who asked. */
  openLeftAnswer: number | undefined = 0;
  readonly openLeftAsked: string[] = [];

  breakerOpenLeft(name: string): Promise<number | undefined> {
    this.openLeftAsked.push(name);
    return Promise.resolve(this.openLeftAnswer);
  }

  onBreaker(listener: (name: string, state: 'open' | 'closed', openMs: number) => void): void {
    this.breakerListener = listener;
  }

  health(): Promise<RemoteHealth> {
    return Promise.resolve({ status: 'up', latencyMs: 1, breaker: 'closed' });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
