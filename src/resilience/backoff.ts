import type { RetryOptions } from './retry-options';

/**
 * The wait before retry `n` (1 = the first retry): `clamp(backoff * 2^(n-1), minDelay, maxDelay)`,
 * then jitter. `random` returns a number in [0, 1).
 */
export function backoffDelay(
  n: number,
  policy: Pick<RetryOptions, 'backoff' | 'minDelay' | 'maxDelay' | 'jitter'>,
  random: () => number,
): number {
  const exponential = policy.backoff * 2 ** (n - 1);
  const delay = Math.min(policy.maxDelay, Math.max(policy.minDelay, exponential));
  switch (policy.jitter) {
    case 'none':
      return delay;
    case 'full':
      return random() * delay;
    case 'equal':
      // Both halves round up for a subnormal delay, and their sum could pass it.
      return Math.min(delay, delay / 2 + (random() * delay) / 2);
  }
}
