import { describe } from './tally';

export interface RejectionWatch {
  readonly count: number;
  readonly samples: readonly string[];
}

/**
 * Counts unhandled rejections instead of dying on the first one. Under
 * `--unhandled-rejections=strict` Node first raises each one as an uncaught exception (fatal
 * without a listener), then emits `unhandledRejection`: the first listener lets the run go on,
 * the second counts. A genuine uncaught exception still ends the run.
 */
export function watchRejections(): RejectionWatch {
  const watch = { count: 0, samples: [] as string[] };
  process.on('uncaughtException', (error, origin) => {
    if (origin === 'unhandledRejection') return;
    console.error('soak: uncaught exception', error);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    watch.count++;
    if (watch.samples.length < 5) watch.samples.push(describe(reason));
  });
  return watch;
}
