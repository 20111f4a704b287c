import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative modules a file loads at run time (`import type` and `export type` load nothing). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const statement =
    /^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';|^import\s+'(\.[^']+)';/gms;
  for (const match of text.matchAll(statement)) {
    if (match[1]) continue;
    const target = match[2] ?? match[3];
    found.push(resolve(dirname(file), target) + '.ts');
  }
  return found;
}

/**
 * The layers from top to bottom (DESIGN.md): a runtime import may point down or stay within its
 * layer, never climb. Each file's layer is the first pattern its path (relative to src/) matches.
 */
const LAYERS: readonly (readonly [string, RegExp])[] = [
  ['index', /^index\.ts$/],
  ['service', /^(execution-utils\.ts|options\.ts|service\/)/],
  ['pipeline', /^pipeline\//],
  ['decorators', /^decorators\//],
  ['policies', /^(cache|resilience)\//],
  ['observability', /^observability\//],
  ['leaves', /^(testing\/|[^/]+\.ts$)/],
];

function layerOf(file: string): number {
  const path = relative(SRC, file);
  const index = LAYERS.findIndex(([, pattern]) => pattern.test(path));
  if (index < 0) throw new Error(`${path} is in no layer: add it to LAYERS`);
  return index;
}

describe('src module graph', () => {
  it('imports only downwards at run time (index, service, pipeline, decorators, policies, observability, leaves)', () => {
    const climbing: string[] = [];
    for (const file of sourceFiles(SRC)) {
      for (const target of runtimeImports(file)) {
        if (layerOf(target) < layerOf(file)) {
          const [from, to] = [layerOf(file), layerOf(target)].map((i) => LAYERS[i][0]);
          climbing.push(`${relative(SRC, file)} (${from}) -> ${relative(SRC, target)} (${to})`);
        }
      }
    }
    expect(climbing).toEqual([]);
  });

  it('puts every source file in a layer, in the documented order', () => {
    for (const file of sourceFiles(SRC)) expect(() => layerOf(file)).not.toThrow();
    expect(layerOf(join(SRC, 'pipeline', 'compile.ts'))).toBeLessThan(
      layerOf(join(SRC, 'decorators', 'metadata.ts')),
    );
    expect(layerOf(join(SRC, 'di.ts'))).toBeGreaterThan(layerOf(join(SRC, 'decorators', 'x.ts')));
  });

  it('has no import cycle at run time (a cycle makes load order decide what is undefined)', () => {
    const graph = new Map(sourceFiles(SRC).map((file) => [file, runtimeImports(file)]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '),
        );
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
