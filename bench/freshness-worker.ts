/**
 * One process of bench scenario M's Redis run: a hot key requested every `everyMs` in real time
 * through `@Cached` with a Redis tier, from `startAt` for `durationMs`. Prints what it saw as one
 * JSON line: its loads, the requests after the first load that waited for one, the results
 * served past their TTL.
 *
 *   node freshness-worker.js <redis url> <namespace> <cache options JSON> <startAt> <durationMs>
 */
import 'reflect-metadata';
import { ExecutionUtils, type CachedOptions } from '../src';

export const WORKER_TTL_MS = 1_000;
export const WORKER_LOAD_MS = 50;
export const WORKER_EVERY_MS = 5;

async function main(): Promise<void> {
  const [url, namespace, cacheJson, startAt, durationMs] = process.argv.slice(2);
  const utils = new ExecutionUtils({ redis: { url }, namespace });
  let loads = 0;
  const get = utils.wrap(
    async (): Promise<number> => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, WORKER_LOAD_MS));
      return Date.now();
    },
    {
      name: 'Hot.get',
      cache: { ...(JSON.parse(cacheJson) as CachedOptions), ttl: WORKER_TTL_MS },
    },
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  const end = Date.now() + Number(durationMs);
  // The first load (a cold key) is the warm-up: its callers wait in every policy.
  const warm = Date.now() + 2 * WORKER_LOAD_MS;
  let requests = 0;
  let waited = 0;
  let stale = 0;
  const pending: Promise<void>[] = [];
  while (Date.now() < end) {
    const issued = Date.now();
    requests++;
    pending.push(
      get().then((loadedAt) => {
        const now = Date.now();
        // A hit answers in well under a millisecond, a Redis hit in about one; a load takes 50.
        if (issued > warm && now - issued >= WORKER_LOAD_MS / 2) waited++;
        if (now >= loadedAt + WORKER_TTL_MS) stale++;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, WORKER_EVERY_MS));
  }
  await Promise.all(pending);
  await utils.close();
  process.stdout.write(JSON.stringify({ loads, requests, waited, stale }) + '\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
