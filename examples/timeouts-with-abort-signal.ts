/**
 * Timeouts that really cancel: the method reads `currentSignal()` and passes it to its I/O, so
 * when the limit passes the work stops, not just the caller's wait. A caller can cancel too,
 * and a total deadline bounds retries with `executeWithRetryAndTimeout`.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { currentSignal, ExecutionUtils, runWithContext, Timeout } from '../src';
import { pause } from './quick-start';

export class ReportService {
  aborted = 0;

  @Timeout(50)
  async build(ms: number): Promise<string> {
    try {
      await pause(ms, currentSignal());
      return `report built in ${ms} ms`;
    } catch (error) {
      this.aborted++;
      throw error;
    }
  }
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const utils = new ExecutionUtils({ retryBackoff: 10, retryMinDelay: 10, retryMaxDelay: 40 });
  container.registerInstance(ExecutionUtils, utils);
  const reports = new ReportService();

  log(`fast : ${await reports.build(5)}`);
  await reports.build(500).catch((e: Error) => log(`slow : ${e.name}: ${e.message}`));

  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('user pressed cancel')), 10);
  await runWithContext({ signal: controller.signal }, () => reports.build(40)).catch((e: Error) =>
    log(`cancel: ${e.message}`),
  );
  log(`work aborted by its signal: ${reports.aborted} time(s)`);

  // Each attempt fails after 30 ms; the one running when the deadline passes is aborted instead,
  // so the TimeoutError's cause is the last attempt that failed on its own before the deadline.
  let attempts = 0;
  let failed = 0;
  const flaky = async (): Promise<string> => {
    const attempt = ++attempts;
    await pause(30, currentSignal());
    failed++;
    throw new Error(`attempt ${attempt} failed`);
  };
  await utils
    .executeWithRetryAndTimeout(flaky, 100)
    .catch((e: Error) =>
      log(
        `deadline: ${e.name} after ${attempts} attempts (${failed} failed, ` +
          `${attempts - failed} aborted), cause: ${String(e.cause)}`,
      ),
    );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
