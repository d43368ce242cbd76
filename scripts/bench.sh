#!/usr/bin/env bash
# npm run bench:<name>: one run on the local stack, against a database of its own, printing figures.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_what_we_started EXIT
trap on_signal INT TERM
name=${1:?usage: scripts/bench.sh <name>}
bring_stack_up
# The benches' own Temporal namespace (stack/local.env; `up` creates it).
export TEMPORAL_NAMESPACE=$BENCH_TEMPORAL_NAMESPACE
# PA_BENCH_DB: another database, so two benchmarks can run side by side.
bench_db=${PA_BENCH_DB:-partner_access_bench}
export DATABASE_URL=${DATABASE_URL%/*}/$bench_db
bash stack/stack.sh reset-database "$bench_db"
prisma migrate deploy >/dev/null
# bench:api and bench:invitations measure the compiled API and worker, as npm start runs them.
if [ "$name" = api ] || [ "$name" = invitations ]; then bash scripts/build.sh --if-stale; fi
LOG_LEVEL=${LOG_LEVEL:-warn} tsx "bench/$name.ts"
# bench:api's second part: commands that start workflows, next to the raw client (its own file, so the
# two parts can change apart).
if [ "$name" = api ]; then LOG_LEVEL=${LOG_LEVEL:-warn} tsx bench/api-workflows.ts; fi
