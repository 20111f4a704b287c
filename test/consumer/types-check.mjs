/* global console, process */
/**
 * Type resolution of the packed tarball under every `moduleResolution` a consumer may use:
 * `node10` finds `execution-utils/testing` through `typesVersions`, the others through
 * `exports`. Also checks that importing ManualClock from the main entry is reported as
 * deprecated (an editor's strikethrough) and from `execution-utils/testing` is not.
 * Run from the consumer project (see check.sh), which provides `typescript`.
 */
import path from 'node:path';
import ts from 'typescript';

const dir = process.cwd();
const source = `
import { Cached, ExecutionUtils, type ExecutionContext } from 'execution-utils';
import { ManualClock } from 'execution-utils/testing';
const clock: ManualClock = new ManualClock();
const utils: ExecutionUtils = new ExecutionUtils({ clock });
const context: ExecutionContext | undefined = undefined;
export const used = [Cached, utils, context];
`;
const virtual = new Map([
  [path.join(dir, 'types-main.ts'), source],
  [
    path.join(dir, 'types-deprecated.ts'),
    `import { ManualClock } from 'execution-utils';\nexport const c = new ManualClock();\n`,
  ],
  [
    path.join(dir, 'types-testing.ts'),
    `import { ManualClock } from 'execution-utils/testing';\nexport const c = new ManualClock();\n`,
  ],
]);
const failures = [];
// Resolution only (consumers (a) and (b) type-check everything): no @types/node to parse, and
// skipLibCheck, so AbortSignal & co. left unresolved inside the declarations are not reported.
const base = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  types: [],
  skipLibCheck: true,
  noEmit: true,
};
const modes = {
  node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

// Parsed files shared by every program (a program never changes a source file).
const parsed = new Map();
function hostFor(options) {
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const key = `${f}|${JSON.stringify(language)}`;
    if (!parsed.has(key)) {
      parsed.set(
        key,
        virtual.has(f)
          ? ts.createSourceFile(f, virtual.get(f), language)
          : getSourceFile.call(host, f, language, ...rest),
      );
    }
    return parsed.get(key);
  };
  return host;
}

const entry = path.join(dir, 'types-main.ts');
const expected = path.join(dir, 'node_modules/execution-utils/dist/testing/index.d.ts');
for (const [mode, modeOptions] of Object.entries(modes)) {
  const options = { ...base, ...modeOptions };
  const host = hostFor(options);
  const program = ts.createProgram([entry], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  for (const d of diagnostics) {
    failures.push(`${mode}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  const resolved = ts.resolveModuleName('execution-utils/testing', entry, options, host);
  const file = resolved.resolvedModule?.resolvedFileName;
  if (file !== expected) failures.push(`${mode}: execution-utils/testing resolved to ${file}`);
}

const options = { ...base, ...modes.nodenext };
const service = ts.createLanguageService({
  getScriptFileNames: () => [...virtual.keys()].slice(1),
  getScriptVersion: () => '1',
  getScriptSnapshot: (f) => {
    const text = virtual.get(f) ?? ts.sys.readFile(f);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => dir,
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: (f) => virtual.has(f) || ts.sys.fileExists(f),
  readFile: (f) => virtual.get(f) ?? ts.sys.readFile(f),
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
});
const deprecations = (name) =>
  service.getSuggestionDiagnostics(path.join(dir, name)).filter((d) => d.reportsDeprecated).length;
if (deprecations('types-deprecated.ts') === 0) {
  failures.push("ManualClock imported from 'execution-utils' is not reported as deprecated");
}
if (deprecations('types-testing.ts') !== 0) {
  failures.push("ManualClock imported from 'execution-utils/testing' is reported as deprecated");
}

if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(
  `types ok: both entry points resolve under ${Object.keys(modes).join(', ')}; ManualClock from the main entry is deprecated`,
);
