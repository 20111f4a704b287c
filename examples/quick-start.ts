/**
 * The quick start (`npm start`): one service with all three decorators, in memory, no server.
 * In your project, import from 'execution-utils' instead of '../src'.
 */
import 'reflect-metadata';
import { container, injectable } from 'tsyringe';
import {
  Cached,
  currentSignal,
  ExecutionUtils,
  Retry,
  runWithContext,
  Timeout,
  TimeoutError,
} from '../src';

@injectable()
export class WeatherService {
  fetches = 0;

  /** Cached per tenant for a minute; a failure is retried; each attempt gets 200 ms. */
  @Cached({ ttl: 60_000 })
  @Retry({ attempts: 3 })
  @Timeout(200)
  async forecast(city: string): Promise<string> {
    this.fetches++;
    if (this.fetches === 1) throw new Error('upstream hiccup');
    await pause(20, currentSignal());
    return `${city}: sunny, 21°C (fetch #${this.fetches})`;
  }

  /** Takes 1 s but may take 50 ms: the attempt is aborted and the caller gets TimeoutError. */
  @Timeout(50)
  async slowReport(): Promise<string> {
    await pause(1_000, currentSignal());
    return 'never reached';
  }
}

/** Waits `ms`, or stops early when `signal` aborts, as well-behaved I/O does. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const utils = new ExecutionUtils({ retryBackoff: 50, retryMinDelay: 50, retryMaxDelay: 200 });
  container.registerInstance(ExecutionUtils, utils);
  const weather = container.resolve(WeatherService);

  await runWithContext({ userId: 'alice', taskId: 'daily' }, async () => {
    log(`alice, 1st call : ${await weather.forecast('Paris')}`);
    log(`   retried ${utils.getStats().retries} time(s) after 'upstream hiccup'`);
    log(`alice, 2nd call : ${await weather.forecast('Paris')}  <- cached`);
  });
  await runWithContext({ userId: 'bob', taskId: 'daily' }, async () => {
    log(`bob,   1st call : ${await weather.forecast('Paris')}  <- bob's own entry`);
  });

  const started = Date.now();
  try {
    await weather.slowReport();
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    log(
      `slowReport      : ${error.name} after ${Date.now() - started} ms (limit ${error.timeoutMs} ms)`,
    );
  }

  const { hits, misses, retries, timeouts, sets } = utils.getStats();
  log(
    `stats           : hits=${hits} misses=${misses} sets=${sets} retries=${retries} timeouts=${timeouts}`,
  );
  await utils.close();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
