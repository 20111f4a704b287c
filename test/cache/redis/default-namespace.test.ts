import { ExecutionUtils, type ExecutionUtilsOptions } from '../../../src';

/**
 * End to end: the service warns once when its Redis tier runs on the default namespace. Nothing
 * listens on port 1 (the warning is about the options, not the server).
 */
const services: ExecutionUtils[] = [];
function warningsOf(options: Partial<ExecutionUtilsOptions>): string[] {
  const warnings: string[] = [];
  const logger = { warn: (line: string) => warnings.push(line), error: () => {}, debug: () => {} };
  services.push(new ExecutionUtils({ redis: { url: 'redis://127.0.0.1:1' }, logger, ...options }));
  return warnings;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((utils) => utils.close()));
});

describe('a Redis tier on the default namespace', () => {
  it('is warned of once, when the service is made, not per call', async () => {
    const warnings = warningsOf({});
    await services[0].wrap(async () => 1, { name: 'one', cache: true })();
    // (The refused connection has a line of its own.)
    expect(warnings.filter((line) => line.includes('namespace'))).toEqual([
      expect.stringContaining("default namespace 'execution-utils'"),
    ]);
  });

  it('is not warned of with a namespace of its own', () => {
    expect(
      warningsOf({ namespace: 'billing' }).filter((line) => line.includes('namespace')),
    ).toEqual([]);
  });
});
