#!/usr/bin/env bash
# npm run build: compiles the processes and scripts to dist/ (run with node, no tsx at run time), copies
# the files they read beside their code (page assets, Cedar policies), and bundles the workflow code
# once (dist/workflow-bundle.js, which the worker loads instead of bundling at start).
# --if-stale: does nothing when dist/ is newer than every source file (npm start, npm run token).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH=$ROOT/node_modules/.bin:$PATH
SOURCES=(api events activities workflows workers domain platform prisma scripts package-lock.json tsconfig.json
  tsconfig.build.json)
STAMP=dist/.built

if [ "${1:-}" = "--if-stale" ] && [ -f "$STAMP" ] && [ -z "$(find "${SOURCES[@]}" -newer "$STAMP" -print -quit)" ]; then
  exit 0
fi
started=$(date +%s%N)
tsc -p tsconfig.build.json
# What the code reads from its own directory at run time.
find api/pages/assets domain/authorization -type f ! -name '*.ts' -exec cp --parents {} dist/ \;
node dist/workers/bundle-workflows.js
touch "$STAMP"
echo "build: dist/ in $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
