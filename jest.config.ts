import type { Config } from 'jest';

// Two projects: the whole suite compiled with legacy decorators (what tsyringe needs), and the
// files named *.both.test.ts compiled again with TypeScript 5 standard decorators.
const tsJest = (tsconfig: string): Config['transform'] => ({
  '^.+\\.ts$': ['ts-jest', { tsconfig, diagnostics: false }],
});

const config: Config = {
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'text'],
  coverageThreshold: { global: { lines: 90 } },
  projects: [
    {
      displayName: 'legacy-decorators',
      testEnvironment: 'node',
      globals: { DECORATOR_STANDARD: 'legacy' },
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      transform: tsJest('<rootDir>/tsconfig.json'),
    },
    {
      displayName: 'standard-decorators',
      testEnvironment: 'node',
      globals: { DECORATOR_STANDARD: 'standard' },
      testMatch: ['<rootDir>/test/**/*.both.test.ts'],
      transform: tsJest('<rootDir>/test/tsconfig.standard.json'),
    },
  ],
};

export default config;
