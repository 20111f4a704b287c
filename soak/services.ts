/**
 * The decorated services under load. Each body asks the backend for its behaviour and returns a
 * `Stamp` of the tenant and arguments it ran for.
 */
import { inject, injectable } from 'tsyringe';
import { Bulkhead, Cached, CircuitBreaker, Retry, Timeout } from '../src';
import { Backend } from './backend';
import { stamp, type Stamp } from './stamp';

/** Short waits, so retries happen many times a second without slowing the load. */
const FAST_RETRY = { attempts: 3, backoff: 1, minDelay: 1, maxDelay: 5 } as const;

export const CATALOG_TTL_MS = 100;
export const REPORTS_TTL_MS = 60;
const REPORTS_ATTEMPT_MS = 15;
const LEGACY_ATTEMPT_MS = 10;
const EXPORTS_ATTEMPT_MS = 30;

export interface View {
  page: number;
  /** Present-but-undefined on purpose in some calls: `{ lang: undefined }` is not `{}`. */
  lang?: string;
}

/** Cache hits, misses, expiry, eviction, single-flight and invalidation. */
@injectable()
export class Catalog {
  constructor(@inject(Backend) private readonly backend: Backend) {}

  @Cached({ ttl: CATALOG_TTL_MS })
  async item(id: number | string, view: View): Promise<Stamp> {
    const { version } = this.backend;
    await this.backend.respond(this.backend.rng.between(1, 4));
    return stamp([id, view], version);
  }
}

/** Everything stacked: a cached load retried over transient failures and hung attempts. */
@injectable()
export class Reports {
  constructor(@inject(Backend) private readonly backend: Backend) {}

  @Cached({ ttl: REPORTS_TTL_MS })
  @Retry(FAST_RETRY)
  @Timeout(REPORTS_ATTEMPT_MS)
  async monthly(month: number): Promise<Stamp> {
    const { version } = this.backend;
    this.backend.maybeFail(0.2, 'Reports.monthly');
    if (this.backend.rng.chance(0.1)) await this.backend.hang();
    else await this.backend.respond(this.backend.rng.between(1, 5));
    return stamp([month], version);
  }
}

/** Transient failures retried, nothing cached. */
@injectable()
export class Search {
  constructor(@inject(Backend) private readonly backend: Backend) {}

  @Retry(FAST_RETRY)
  async query(text: string, page: number): Promise<Stamp> {
    const { version } = this.backend;
    await this.backend.respond(this.backend.rng.between(0, 3));
    this.backend.maybeFail(0.3, 'Search.query');
    return stamp([text, page], version);
  }
}

/**
 * Attempt timeouts against a dependency that hangs (honouring the signal), or that answers or
 * fails only after the attempt was cancelled: the late value must be ignored, the failure swallowed.
 */
@injectable()
export class Legacy {
  constructor(@inject(Backend) private readonly backend: Backend) {}

  @Timeout(LEGACY_ATTEMPT_MS)
  async fetch(id: number): Promise<Stamp> {
    const { version } = this.backend;
    const roll = this.backend.rng.next();
    if (roll < 0.1) await this.backend.hang();
    else if (roll < 0.15) await this.backend.settleAfterCancel('answer');
    else if (roll < 0.2) await this.backend.settleAfterCancel('fail');
    else await this.backend.respond(this.backend.rng.between(0, 3));
    return stamp([id], version);
  }
}

/** A breaker over a dependency that fails almost always during its outage phases. */
@injectable()
export class Payments {
  constructor(@inject(Backend) private readonly backend: Backend) {}

  @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfter: 100 })
  @Retry({ ...FAST_RETRY, attempts: 2 })
  async charge(cents: number): Promise<Stamp> {
    const { version } = this.backend;
    await this.backend.respond(this.backend.rng.between(0, 2));
    this.backend.maybeFail(this.backend.inOutage() ? 0.9 : 0.01, 'Payments.charge');
    return stamp([cents], version);
  }
}

/** A bulkhead narrower than the load that reaches it: some calls queue, some are refused. */
@injectable()
export class Exports {
  constructor(@inject(Backend) private readonly backend: Backend) {}

  @Bulkhead({ maxConcurrent: 3, maxQueue: 3 })
  @Timeout(EXPORTS_ATTEMPT_MS)
  async render(id: number): Promise<Stamp> {
    const { version } = this.backend;
    await this.backend.respond(this.backend.rng.between(2, 12));
    return stamp([id], version);
  }
}
