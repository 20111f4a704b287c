/**
 * A flaky upstream: transient failures are retried with exponential backoff, permanent ones
 * (`retryable = false`, or refused by `retryOn`) fail at once, and the last error surfaces
 * unchanged. Operation profiles let configuration tune a method without touching its code.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { ExecutionUtils, Retry, type RetryInfo } from '../src';

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'HttpError';
  }
}

const isServerError = (error: unknown): boolean =>
  error instanceof HttpError && error.status >= 500;

export class UserApi {
  responses: number[] = [];
  calls = 0;
  log: (line: string) => void = () => {};

  /** Retries 5xx only: a 404 is an answer, not a hiccup. */
  @Retry({ attempts: 4, retryOn: isServerError, onRetry: (info) => report(info) })
  async getUser(id: string): Promise<string> {
    this.calls++;
    const status = this.responses.shift() ?? 200;
    if (status !== 200) throw new HttpError(status);
    return `user ${id}`;
  }

  /** Its policy comes from the `operations['billing']` profile of the service. */
  @Retry('billing')
  async charge(amount: number): Promise<string> {
    this.calls++;
    const status = this.responses.shift() ?? 200;
    if (status !== 200) throw new HttpError(status);
    return `charged ${amount}`;
  }
}

let report: (info: RetryInfo) => void = () => {};

export async function main(log: (line: string) => void = console.log): Promise<void> {
  report = (info) =>
    log(
      `  attempt ${info.attempt} failed (${String(info.error)}); waiting ${Math.round(info.delayMs)} ms`,
    );
  container.registerInstance(
    ExecutionUtils,
    new ExecutionUtils({
      retryBackoff: 20,
      retryMinDelay: 20,
      retryMaxDelay: 100,
      operations: { billing: { retry: { attempts: 2, backoff: 10, minDelay: 10 } } },
    }),
  );
  const api = new UserApi();

  api.responses = [503, 502];
  log(`getUser -> ${await api.getUser('42')} after ${api.calls} calls`);

  api.calls = 0;
  api.responses = [404];
  await api
    .getUser('missing')
    .catch((e: unknown) => log(`getUser -> ${String(e)} after ${api.calls} call (not retried)`));

  api.calls = 0;
  api.responses = [500, 500, 500];
  await api
    .charge(10)
    .catch((e: unknown) =>
      log(`charge  -> ${String(e)} after ${api.calls} calls (profile: 2 attempts)`),
    );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
