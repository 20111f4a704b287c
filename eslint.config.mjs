import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'build/',
      'coverage/',
      'node_modules/',
      'docs/api/',
      'reports/',
      '.stryker-tmp/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // An `async` method without `await` is deliberate here: it returns a Promise, which
      // @Retry and @Timeout require and which makes a synchronous throw a rejection.
      '@typescript-eslint/require-await': 'off',
      // A caller's abort reason is whatever the caller aborted with: passed on as it is.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // jest's asymmetric matchers are typed `any`; unbound methods are what some tests test.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests print whatever they were given, objects included.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Plain JavaScript (configs, the consumer checks) is not part of any tsconfig.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs', 'test/consumer/**'],
    ...tseslint.configs.disableTypeChecked,
  },
);
