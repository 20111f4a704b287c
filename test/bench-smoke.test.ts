import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Builds the benchmark suite into its own folder (so a concurrent `npm run bench` is not
// disturbed) and runs one quick scenario, asking it not to write bench/results.*.
const root = join(__dirname, '..');
const outDir = join('build', 'bench-smoke');
const results = ['json', 'md', 'svg'].map((ext) => join(root, 'bench', `results.${ext}`));
const mtimes = (): (number | undefined)[] =>
  results.map((file) => (existsSync(file) ? statSync(file).mtimeMs : undefined));

describe('benchmark suite (smoke)', () => {
  it('builds, runs scenario B0 in quick mode and prints its rows without writing results', () => {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'bench/tsconfig.json', '--outDir', outDir],
      { cwd: root, stdio: 'pipe' },
    );
    const before = mtimes();
    const run = spawnSync(
      process.execPath,
      ['--expose-gc', join(outDir, 'bench', 'run.js'), '--quick', '--only=B0', '--no-write'],
      { cwd: root, encoding: 'utf8', timeout: 30_000 },
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    expect(run.stdout).toContain("| B0 | ours: utils.generateCacheKey('Svc.get'");
    expect(run.stdout).toContain('| B0 | object-hash of {func, userId, taskId, args, kwargs}');
    expect(run.stdout).toMatch(
      /\| B0 \| \*\*target: object-hash \/ ours \(speed-up\)\*\* .*\| (met|\*\*MISSED\*\*) \|/,
    );
    expect(run.stdout).not.toContain('| B |');
    expect(mtimes()).toEqual(before);
  }, 60_000);
});
