// dist/version.js and src/version.ts both sit one folder below package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = (require('../package.json') as { version: string }).version;
