#!/usr/bin/env bash
# npm run bench:<name>: one run on the local stack, against a database of its own, printing figures.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_what_we_started EXIT
trap on_signal INT TERM
name=${1:?usage: scripts/bench.sh <name>}
bring_stack_up
export DATABASE_URL=${DATABASE_URL%/*}/partner_access_bench
bash stack/stack.sh reset-database partner_access_bench
prisma migrate deploy >/dev/null
# bench:api measures the compiled API, as npm start runs it.
if [ "$name" = api ]; then bash scripts/build.sh --if-stale; fi
LOG_LEVEL=${LOG_LEVEL:-warn} tsx "bench/$name.ts"
