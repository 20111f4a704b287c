import type { Config } from 'jest';

// The suite StrykerJS runs against each mutant (npm run mutation): the legacy-decorators project
// only (every behaviour is there), and only the suites of the mutated modules (keys, cache,
// retry, timeout) and of the service over them. Suites that spawn processes, generate random
// inputs or feed hostile arguments take seconds each and say little about a mutant.
const config: Config = {
  testEnvironment: 'node',
  globals: { DECORATOR_STANDARD: 'legacy' },
  testMatch: [
    '<rootDir>/test/cache/**/*.test.ts',
    '<rootDir>/test/pipeline/**/*.test.ts',
    '<rootDir>/test/resilience/**/*.test.ts',
    '<rootDir>/test/execution-utils.both.test.ts',
    '<rootDir>/test/observability/events.both.test.ts',
    '<rootDir>/test/mutation-boundaries.both.test.ts',
  ],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
};

export default config;
