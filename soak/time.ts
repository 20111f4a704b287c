/** Resolves after `ms` of real time. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `work` settles within `ms`; the timer is cleared either way, so it leaks nothing. */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true), expired]).finally(() => clearTimeout(timer));
}

/** Resolves once `done()` holds (checked every 5 ms), or after `ms` at most. */
export async function until(done: () => boolean, ms: number): Promise<void> {
  const giveUpAt = performance.now() + ms;
  while (!done() && performance.now() < giveUpAt) await pause(5);
}
