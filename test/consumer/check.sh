#!/usr/bin/env bash
# Packs the library, installs the tarball into a fresh project with its peer dependencies,
# compiles consumer.ts with experimentalDecorators and runs it. `npm run test:consumer`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tarball" tsyringe@^4.10 reflect-metadata@^0.2 typescript@~5.9.3 @types/node@^20
cp "$root/test/consumer/consumer.ts" .
npx tsc --strict --experimentalDecorators --emitDecoratorMetadata --target ES2022 --module commonjs \
  --moduleResolution node --esModuleInterop --skipLibCheck consumer.ts
node consumer.js
