import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// npm ci installs from the lock without comparing its root entry with package.json, so a
// dependency edited by hand (ioredis added as a peer) left the lock stale, and the first
// `npm install` of a fresh clone rewrote it. The root entry must be what npm install writes.
const read = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '..', file), 'utf8')) as Record<string, unknown>;

const manifest = read('package.json');
const lock = read('package-lock.json') as { packages: Record<string, Record<string, unknown>> };
const root = lock.packages[''];

describe('package-lock.json', () => {
  it.each([
    'name',
    'version',
    'license',
    'engines',
    'dependencies',
    'devDependencies',
    'peerDependencies',
    'peerDependenciesMeta',
  ])('its root entry records the same %s as package.json', (field) => {
    expect(root[field]).toEqual(manifest[field]);
  });
});
