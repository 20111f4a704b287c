import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder up from here whose package.json is ours. */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'execution-utils'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no execution-utils package.json above ${from}`);
  }
}

/** Writes bench/results.{json,md,svg} and returns their paths. */
export function writeResults(files: { json: unknown; md: string; svg: string }): string[] {
  const dir = join(repoRoot(), 'bench');
  const written = [
    [join(dir, 'results.json'), JSON.stringify(files.json, null, 2) + '\n'],
    [join(dir, 'results.md'), files.md],
    [join(dir, 'results.svg'), files.svg],
  ];
  for (const [path, text] of written) writeFileSync(path, text);
  return written.map(([path]) => path);
}
