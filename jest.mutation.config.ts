import type { Config } from 'jest';

// The suite StrykerJS runs against each mutant (npm run mutation): the legacy-decorators project
// only (every behaviour is there), without the tests that spawn processes or compile other
// trees, which say nothing about a mutant and cost seconds each.
const config: Config = {
  testEnvironment: 'node',
  globals: { DECORATOR_STANDARD: 'legacy' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/bench-smoke.test.ts',
    '<rootDir>/test/examples.test.ts',
    '<rootDir>/test/clock.test.ts',
    '<rootDir>/test/import-cycles.test.ts',
  ],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
};

export default config;
