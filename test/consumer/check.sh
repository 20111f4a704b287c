#!/usr/bin/env bash
# Packs the library once, installs the tarball into a fresh project with its peer dependencies and
# checks it the way users adopt it. `npm run test:consumer`.
#   (a) CommonJS + experimentalDecorators: consumer.ts, compiled with examples/tsconfig.recommended.json
#   (b) ES module + TypeScript 5 standard decorators: esm-consumer.mts, with tsconfig.esm.json
#       (skipLibCheck off: every shipped declaration file is type-checked too)
#   (c) plain .mjs: named imports, and import/require giving one module instance (same-instance.mjs)
#   (d) types: both entry points under node10, node16, nodenext and bundler; the deprecation
#   (e) every TypeScript sample of README.md, with the recommended tsconfig, under TypeScript 5.9
#       and the current major (7): compile-readme-samples.ts; (a) and (b) type-checked under 7 too
# Each consumer runs a cached, a retried and a timed-out call and exits non-zero on a failure.
# The temporary project is removed on exit, whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/test/consumer"
work=$(mktemp -d "${TMPDIR:-/tmp}/execution-utils-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
SECONDS=0
step() { printf '== %-58s (%2ds)\n' "$1" "$SECONDS"; }

step 'npm pack (prepack: clean build)'
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
listing=$(tar -tzf "$work/$tarball")
if unexpected=$(grep -Ev '^package/(dist/.+\.(js|d\.ts)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$' <<<"$listing"); then
  echo "the tarball ships unexpected files:" >&2
  echo "$unexpected" >&2
  exit 1
fi
for required in dist/index.js dist/index.d.ts dist/testing/index.js dist/testing/index.d.ts LICENSE CHANGELOG.md; do
  grep -qx "package/$required" <<<"$listing" || { echo "the tarball lacks $required" >&2; exit 1; }
done

step "npm install $tarball + peers"
cd "$work"
printf '{ "name": "consumer-check", "version": "1.0.0", "private": true, "type": "commonjs" }\n' >package.json
npm install --prefer-offline --no-audit --no-fund --silent "./$tarball" \
  tsyringe@^4.10 reflect-metadata@^0.2 typescript@~5.9.3 @types/node@^20 prom-client@^15 expect@^30

mkdir -p cjs/src esm/src
cp "$root/examples/tsconfig.recommended.json" cjs/tsconfig.json
cp "$here/consumer.ts" cjs/src/
cp "$here/tsconfig.esm.json" esm/tsconfig.json
cp "$here/esm-consumer.mts" esm/src/
cp "$here/same-instance.mjs" "$here/types-check.mjs" .

step 'tsc: (a) recommended tsconfig, (b) standard decorators'
npx tsc -p cjs &
cjs_tsc=$!
esm_status=0
npx tsc -p esm || esm_status=$?
wait "$cjs_tsc"
[ "$esm_status" -eq 0 ] || exit "$esm_status"

step '(a) CommonJS + experimentalDecorators'
node cjs/dist/consumer.js
step '(b) ES module + standard decorators'
node esm/dist/esm-consumer.mjs
step '(c) named ESM imports, one module instance'
node same-instance.mjs
step '(d) type resolution and deprecation'
node types-check.mjs
step '(e) README samples, TypeScript 5.9 and 7'
mkdir -p ts7
printf '{ "name": "ts7", "version": "1.0.0", "private": true }\n' >ts7/package.json
npm install --prefix ts7 --prefer-offline --no-audit --no-fund --silent typescript@^7
npx tsc --outDir samples-tool --module commonjs --target es2022 --types node --strict \
  "$here/compile-readme-samples.ts" "$here/readme-samples.ts"
node samples-tool/compile-readme-samples.js "$root/README.md" \
  "$root/examples/tsconfig.recommended.json" samples \
  node_modules/typescript/bin/tsc ts7/node_modules/typescript/bin/tsc
node ts7/node_modules/typescript/bin/tsc -p cjs --noEmit
node ts7/node_modules/typescript/bin/tsc -p esm --noEmit
echo "consumers (a) and (b) type-check with TypeScript $(node ts7/node_modules/typescript/bin/tsc --version | sed 's/Version //')"
step 'all consumer checks passed'
