/**
 * Compiles every TypeScript sample of a Markdown file in the consumer project (check.sh builds
 * this file with the project's own tsc):
 *
 *   node compile-readme-samples.js README.md tsconfig.json outDir path/to/bin/tsc...
 *
 * writes the samples (see readme-samples.ts) into `outDir/src` beside a copy of the tsconfig,
 * type-checks them with each compiler in turn, and exits non-zero, naming the Markdown lines,
 * if any compiler reports an error or the file has no sample at all.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readmeSamples, sampleSource, toMarkdownLines } from './readme-samples';

function main(args: string[]): number {
  const [markdownPath, tsconfig, outDir, ...compilers] = args;
  if (!markdownPath || !tsconfig || !outDir || compilers.length === 0) {
    console.error('usage: compile-readme-samples README.md tsconfig.json outDir bin/tsc...');
    return 2;
  }
  const markdownName = basename(markdownPath);
  const { samples, skipped } = readmeSamples(readFileSync(markdownPath, 'utf8'));
  if (samples.length === 0) {
    console.error(`${markdownName} has no TypeScript sample: is the fence parser broken?`);
    return 1;
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'src'), { recursive: true });
  copyFileSync(tsconfig, join(outDir, 'tsconfig.json'));
  for (const sample of samples) {
    writeFileSync(join(outDir, 'src', sample.file), sampleSource(sample));
  }

  let failed = false;
  const versions: string[] = [];
  for (const tsc of compilers) {
    const version = run(tsc, ['--version'])
      .stdout.trim()
      .replace(/^Version /, 'TypeScript ');
    versions.push(version);
    const result = run(tsc, ['-p', outDir, '--noEmit', '--pretty', 'false']);
    if (result.status !== 0) {
      failed = true;
      console.error(`${markdownName}: samples that do not compile with ${version}:`);
      console.error(toMarkdownLines(result.stdout + result.stderr, samples, markdownName));
    }
  }
  for (const { fenceLine, reason } of skipped) {
    console.log(`${markdownName}:${fenceLine}: sample not compiled: ${reason}`);
  }
  if (!failed) {
    console.log(`${markdownName}: ${samples.length} samples compile with ${versions.join(', ')}`);
  }
  return failed ? 1 : 0;
}

function run(
  tsc: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [tsc, ...args], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

process.exitCode = main(process.argv.slice(2));
