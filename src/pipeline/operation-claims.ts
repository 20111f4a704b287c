import { ConfigError } from '../errors';

/** Who claims an operation name: a decorated method's record or a wrapped function. */
export interface OperationClaim {
  readonly operation: string;
  /** What the name stands for; two claims with the same identity are the same method. */
  readonly identity: object;
  /** Whether the name was given on purpose (`@Cached({ name })`, `wrap`), so it may be shared. */
  readonly explicitName: boolean;
}

/**
 * Which method each operation name stands for in one service. Two different methods sharing an
 * implicit name (two modules' `Repo`, minified classes all called `e`) would share cache entries,
 * a breaker and a bulkhead: the second claim fails loudly instead. Names given on purpose may be
 * shared.
 */
export class OperationClaims {
  private readonly holders = new Map<string, OperationClaim>();

  /** Throws `ConfigError` when another method already stands for `claim.operation`. */
  claim(claim: OperationClaim): void {
    const holder = this.holders.get(claim.operation);
    if (holder === undefined) {
      this.holders.set(claim.operation, claim);
      return;
    }
    if (holder.identity === claim.identity || (holder.explicitName && claim.explicitName)) return;
    throw new ConfigError(
      `operation ${claim.operation}`,
      `two different methods are both named '${claim.operation}' (two classes with the same ` +
        `name, or minified class names); give each its own name with @Cached({ name }) or ` +
        `wrap(fn, { name })`,
    );
  }
}
