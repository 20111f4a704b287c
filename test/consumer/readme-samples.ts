/**
 * The TypeScript samples of a Markdown file, as files a compiler can check, and the compiler's
 * diagnostics mapped back to lines of the Markdown file.
 *
 * Every ```ts (or ```typescript) block is a sample. Two HTML comments, invisible on a rendered
 * page, may stand before one (blank lines between are allowed):
 *
 *   <!-- sample-prelude
 *   declare const utils: ExecutionUtils;
 *   -->
 *       compiled before the sample: what a fragment takes for granted (the reader's own services
 *       and data, imports a fragment leaves out);
 *
 *   <!-- sample-not-compiled: why -->
 *       the sample is left out, for the reason given (required).
 *
 * A marker that no sample follows is an error, so a marker cannot drift away from its block.
 * `<!-- prettier-ignore -->` may stand between a marker and its sample (it keeps a sample's
 * hand-aligned comments).
 */

export interface Sample {
  /** Line (1-based) of the opening fence in the Markdown file. */
  readonly fenceLine: number;
  readonly code: string;
  /** The prelude's code and the Markdown line of its first line. */
  readonly prelude?: { readonly code: string; readonly firstLine: number };
  /** Compiled as an ES module (`.mts`): it awaits at top level, which CommonJS cannot. */
  readonly esm: boolean;
  /** The file name the sample is written to, named after its fence line. */
  readonly file: string;
}

export interface SkippedSample {
  readonly fenceLine: number;
  readonly reason: string;
}

export interface ReadmeSamples {
  readonly samples: Sample[];
  readonly skipped: SkippedSample[];
}

type Marker =
  | { kind: 'prelude'; line: number; code: string; firstLine: number }
  | { kind: 'skip'; line: number; reason: string };

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w-]*)/;
const PRELUDE_START = /^<!--\s*sample-prelude\s*$/;
const PRETTIER_IGNORE = /^<!--\s*prettier-ignore\s*-->$/;
const SKIP = /^<!--\s*sample-not-compiled\s*(?::\s*(.*?))?\s*-->\s*$/;
// `await` that starts a statement outside any function: at the very start of a line.
const TOP_LEVEL_AWAIT = /^(?:(?:const|let|var)\s+[^=]+=\s*)?await\b/m;

/** Splits `markdown` into its TypeScript samples and the samples it marks as not compiled. */
export function readmeSamples(markdown: string): ReadmeSamples {
  const lines = markdown.split('\n');
  const samples: Sample[] = [];
  const skipped: SkippedSample[] = [];
  let marker: Marker | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      const end = closingFence(lines, i, fence[1]);
      const language = fence[2].toLowerCase();
      if (language === 'ts' || language === 'typescript') {
        const fenceLine = i + 1;
        const code = lines.slice(i + 1, end).join('\n');
        if (marker?.kind === 'skip') skipped.push({ fenceLine, reason: marker.reason });
        else samples.push(sample(fenceLine, code, marker));
      } else if (marker) {
        throw new Error(
          `line ${marker.line}: the sample marker is followed by a non-TypeScript block`,
        );
      }
      marker = undefined;
      i = end;
    } else if (PRELUDE_START.test(line.trim())) {
      if (marker) throw orphan(marker);
      const close = lines.findIndex((l, j) => j > i && l.trim() === '-->');
      if (close < 0) throw new Error(`line ${i + 1}: the sample prelude is never closed by '-->'`);
      marker = {
        kind: 'prelude',
        line: i + 1,
        code: lines.slice(i + 1, close).join('\n'),
        firstLine: i + 2,
      };
      i = close;
    } else if (PRETTIER_IGNORE.test(line.trim())) {
      continue;
    } else if (/^<!--\s*sample-/.test(line.trim())) {
      if (marker) throw orphan(marker);
      const skip = SKIP.exec(line.trim());
      if (!skip) throw new Error(`line ${i + 1}: unknown sample marker: ${line.trim()}`);
      if (!skip[1]) throw new Error(`line ${i + 1}: sample-not-compiled needs a reason`);
      marker = { kind: 'skip', line: i + 1, reason: skip[1] };
    } else if (marker && line.trim() !== '') {
      throw orphan(marker);
    }
  }
  if (marker) throw orphan(marker);
  return { samples, skipped };
}

/** The index of the line that closes the block opened at `open` (past the end if none does). */
function closingFence(lines: string[], open: number, fence: string): number {
  const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`);
  const end = lines.findIndex((line, j) => j > open && close.test(line));
  return end < 0 ? lines.length : end;
}

function orphan(marker: Marker): Error {
  return new Error(`line ${marker.line}: the sample marker is not followed by a TypeScript block`);
}

function sample(fenceLine: number, code: string, marker: Marker | undefined): Sample {
  const prelude =
    marker?.kind === 'prelude' ? { code: marker.code, firstLine: marker.firstLine } : undefined;
  const esm = TOP_LEVEL_AWAIT.test(code);
  const file = `readme-line-${String(fenceLine).padStart(4, '0')}.${esm ? 'mts' : 'ts'}`;
  return { fenceLine, code, prelude, esm, file };
}

/**
 * The source written for `sample`: its prelude, the sample, and an empty export, so that every
 * sample is a module of its own (two samples may both declare a `utils` or a class `Payments`).
 */
export function sampleSource(sample: Sample): string {
  return [...(sample.prelude ? [sample.prelude.code] : []), sample.code, 'export {};', ''].join(
    '\n',
  );
}

/**
 * Rewrites tsc's `file(line,col): error ...` lines (`--pretty false`) that name a sample's file
 * as `README.md:line:col: error ...`, the Markdown line the error is on; other lines are kept.
 */
export function toMarkdownLines(output: string, samples: Sample[], markdownName: string): string {
  const byFile = new Map(samples.map((s) => [s.file, s]));
  return output.replace(
    /^(?:.*[\\/])?([^\\/(]+)\((\d+),(\d+)\): /gm,
    (whole, file: string, line: string, col: string) => {
      const sample = byFile.get(file);
      if (!sample) return whole;
      const at = markdownLine(sample, Number(line));
      return `${markdownName}:${at}:${col}: (sample at line ${sample.fenceLine}) `;
    },
  );
}

function markdownLine(sample: Sample, fileLine: number): number {
  const preludeLines = sample.prelude ? sample.prelude.code.split('\n').length : 0;
  if (sample.prelude && fileLine <= preludeLines) return sample.prelude.firstLine + fileLine - 1;
  return sample.fenceLine + fileLine - preludeLines;
}
