import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeSamples, sampleSource, toMarkdownLines } from './readme-samples';

const md = (...lines: string[]): string => lines.join('\n');

describe('readmeSamples', () => {
  it('finds ts and typescript blocks, not other languages', () => {
    const { samples } = readmeSamples(
      md(
        '# t',
        '```ts',
        'const a = 1;',
        '```',
        '```sh',
        'ls',
        '```',
        '```typescript',
        'let b;',
        '```',
      ),
    );
    expect(samples.map((s) => [s.fenceLine, s.code])).toEqual([
      [2, 'const a = 1;'],
      [8, 'let b;'],
    ]);
  });

  it('attaches a prelude, across blank lines and a prettier-ignore', () => {
    const { samples } = readmeSamples(
      md(
        '<!-- sample-prelude',
        'declare const x: number;',
        '-->',
        '',
        '<!-- prettier-ignore -->',
        '```ts',
        'x;',
        '```',
      ),
    );
    expect(samples[0].prelude).toEqual({ code: 'declare const x: number;', firstLine: 2 });
    expect(sampleSource(samples[0])).toBe('declare const x: number;\nx;\nexport {};\n');
  });

  it('skips a marked sample and keeps its reason', () => {
    const result = readmeSamples(
      md('<!-- sample-not-compiled: pseudo-code -->', '```ts', 'x y z', '```'),
    );
    expect(result.samples).toEqual([]);
    expect(result.skipped).toEqual([{ fenceLine: 2, reason: 'pseudo-code' }]);
  });

  it('refuses a marker without a reason, or with no sample after it', () => {
    expect(() => readmeSamples(md('<!-- sample-not-compiled -->', '```ts', 'x', '```'))).toThrow(
      /reason/,
    );
    expect(() =>
      readmeSamples(md('<!-- sample-not-compiled: r -->', 'prose', '```ts', 'x', '```')),
    ).toThrow(/not followed/);
    expect(() =>
      readmeSamples(md('<!-- sample-prelude', 'x', '-->', '```sh', 'ls', '```')),
    ).toThrow(/non-TypeScript/);
    expect(() => readmeSamples(md('<!-- sample-prelude', 'x'))).toThrow(/never closed/);
    expect(() => readmeSamples(md('<!-- sample-typo -->', '```ts', 'x', '```'))).toThrow(/unknown/);
  });

  it('compiles a sample that awaits at top level as an ES module', () => {
    const { samples } = readmeSamples(
      md(
        '```ts',
        'const v = await f();',
        '```',
        '```ts',
        'async function g() {',
        '  await f();',
        '}',
        '```',
      ),
    );
    expect(samples.map((s) => s.file)).toEqual(['readme-line-0001.mts', 'readme-line-0004.ts']);
  });

  it('does not read a fence inside a longer fence as a sample', () => {
    const { samples } = readmeSamples(md('````md', '```ts', 'inner', '```', '````'));
    expect(samples).toEqual([]);
  });

  it("maps tsc's lines back to the Markdown file, prelude lines included", () => {
    const { samples } = readmeSamples(
      md('<!-- sample-prelude', 'p1', 'p2', '-->', '```ts', 's1', 's2', '```'),
    );
    const [sample] = samples;
    const output = [
      `samples/src/${sample.file}(1,3): error TS1: in the prelude`,
      `samples/src/${sample.file}(4,1): error TS2: in the sample`,
      `other.ts(1,1): error TS3: kept`,
    ].join('\n');
    expect(toMarkdownLines(output, samples, 'README.md').split('\n')).toEqual([
      'README.md:2:3: (sample at line 5) error TS1: in the prelude',
      'README.md:7:1: (sample at line 5) error TS2: in the sample',
      'other.ts(1,1): error TS3: kept',
    ]);
  });

  it('finds the samples of the README itself', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readmeSamples(readme).samples.length).toBeGreaterThanOrEqual(10);
  });
});
