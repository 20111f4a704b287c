import { DEFAULT_NAMESPACE } from '../../../src/cache/redis/redis-options';
import { warnOnDefaultNamespace } from '../../../src/cache/redis/namespace-warning';

function recorder(): {
  warn: (line: string) => void;
  error: () => void;
  debug: () => void;
  lines: string[];
} {
  const lines: string[] = [];
  return { lines, warn: (line) => void lines.push(line), error: () => {}, debug: () => {} };
}

describe('warnOnDefaultNamespace', () => {
  it('warns that applications on the default namespace share entries and clearCache()', () => {
    const logger = recorder();
    warnOnDefaultNamespace(DEFAULT_NAMESPACE, logger);
    expect(logger.lines).toEqual([
      "The Redis tier runs on the default namespace 'execution-utils': every application on this " +
        'Redis that leaves `namespace` unset shares its entries, and a clearCache() in any of ' +
        "them empties the others'; give each application its own, e.g. " +
        "new ExecutionUtils({ redis, namespace: 'billing' })",
    ]);
  });

  it('says nothing of a namespace of its own', () => {
    const logger = recorder();
    warnOnDefaultNamespace('billing', logger);
    expect(logger.lines).toEqual([]);
  });

  it('says nothing without a logger', () => {
    expect(() => warnOnDefaultNamespace(DEFAULT_NAMESPACE, undefined)).not.toThrow();
  });

  it('ignores a logger that throws, as every log line does', () => {
    const broken = (): never => {
      throw new Error('disk full');
    };
    const logger = { warn: broken, error: broken, debug: broken };
    expect(() => warnOnDefaultNamespace(DEFAULT_NAMESPACE, logger)).not.toThrow();
  });
});
