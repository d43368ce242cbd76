#!/usr/bin/env bash
# npm start: install what is missing, bring the stack up, migrate, seed the demo world if the
# database is empty, run the worker and the API until Ctrl-C, then stop what this started.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_what_we_started EXIT
trap on_signal INT TERM

bring_stack_up
# Issue 13: the processes run compiled (dist/, the workflow code bundled once), built when sources changed.
bash scripts/build.sh --if-stale
prisma migrate deploy >/dev/null
node dist/prisma/seed.js

# Issue 13: the worker's and the API's spans go to the stack's Zipkin (unless the caller names another).
export OTEL_EXPORTER_ZIPKIN_ENDPOINT=${OTEL_EXPORTER_ZIPKIN_ENDPOINT:-http://127.0.0.1:$ZIPKIN_PORT/api/v2/spans}
node dist/workers/main.js & CHILD_PIDS+=($!)
node dist/api/main.js & CHILD_PIDS+=($!)

api=http://127.0.0.1:$API_PORT
for _ in $(seq 1 240); do
  curl -fsS "$api/readyz" >/dev/null 2>&1 && break
  for pid in "${CHILD_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "start: a process exited during start-up (see its log above)" >&2; exit 1; }; done
  sleep 0.5
done
curl -fsS "$api/readyz" >/dev/null || { echo "start: the API did not become ready; see $api/readyz" >&2; exit 1; }
# The demo world's processes (a pending guest invitation), once the worker runs: idempotent.
node dist/prisma/seed-processes.js

cat <<MSG

  Partner Access Engine is running. Ctrl-C stops it.

  Console      $api/console
  API          $api
  Swagger UI   $api/docs
  Temporal UI  http://127.0.0.1:$TEMPORAL_UI_PORT
  Mail (SMTP sink) http://127.0.0.1:$MAIL_UI_PORT/
  Traces (Zipkin)  http://127.0.0.1:$ZIPKIN_PORT/zipkin/
  A token      npm run token -- olivia.admin@acme.example
  Partner account  npm run token -- ava.owner@northwind.example  (README: Partner accounts)

  Sign in to the console as a demo user (each link works once, for 12 hours; development only):
MSG
node dist/scripts/demo-sign-in-links.js || echo "  (demo sign-in links could not be made; see above)"
echo
# Run until Ctrl-C, or until the worker or the API exits.
wait -n "${CHILD_PIDS[@]}"
echo "start: the worker or the API exited; stopping" >&2
exit 1
