#!/usr/bin/env bash
# npm test: bring up what the tests need, run the whole suite (unit, workflow, integration against
# the real services) on a fresh test database, stop what this started.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_what_we_started EXIT
trap on_signal INT TERM

# Static checks first, before any service starts, so a formatting or lint error fails in about a minute
# (README "Lint and format"); they need node_modules and the Prisma client's types, hence install first
# (it does nothing when all is there). ESLint's cache skips unchanged files on a warm run; a type-aware
# finding in an unchanged file that another file's change caused then waits for a clean run (CI's, or
# npm run lint).
bash stack/stack.sh install
prettier --check --log-level warn . ||
  { echo "npm test: not formatted as prettier lays it out; npm run format" >&2; exit 1; }
eslint --cache --cache-strategy content --cache-location node_modules/.cache/eslint/ . ||
  { echo "npm test: ESLint found problems (above); npm run lint" >&2; exit 1; }

RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"; stop_what_we_started' EXIT
# The workflow code bundled once for both phases (10 to 14 s of webpack; test/support/global-setup.ts
# takes the file given and bundles only when jest runs without it), in the background while the
# services come up and the test database is reset.
export PA_TEST_WORKFLOW_BUNDLE=$RESULTS/workflow-bundle.js
tsx workers/bundle-workflows.ts "$PA_TEST_WORKFLOW_BUNDLE" >/dev/null &
bundling=$!
CHILD_PIDS+=("$bundling")

# Not the demo's mail sink: the tests' own (mail-test). The record is the one common.sh stops from.
# zipkin: the trace test reads its traces back (test/integration/tracing.test.ts).
bash stack/stack.sh up --record "$STARTED_FILE" postgres kafka temporal mail-test zipkin
# The tests get their own database, recreated each run, their own Temporal namespace and their own mail
# sink, so `npm start`'s demo world (and what its Temporal UI and mail UI show) is untouched. Every test,
# the workers it spawns and the mail sink client read these.
export DATABASE_URL=${DATABASE_URL%/*}/partner_access_test
export TEMPORAL_NAMESPACE=$TEST_TEMPORAL_NAMESPACE SMTP_PORT=$TEST_SMTP_PORT MAIL_UI_PORT=$TEST_MAIL_UI_PORT
bash stack/stack.sh reset-database partner_access_test
prisma migrate deploy >/dev/null
export TEMPORAL_TEST_SERVER=$(bash stack/stack.sh test-server-path)
export NODE_ENV=test LOG_LEVEL=${LOG_LEVEL:-warn} PA_TEST_STACK=1
wait "$bundling" || { echo "npm test: bundling the workflow code failed (above)" >&2; exit 1; }

# Two phases on the one stack (jest.config.js says which files run alone, and why). First every file
# that can share the stack, PA_TEST_WORKERS at a time (by default one more than the cores: the files
# mostly wait on the services; on 2 cores, 2/3/4 workers took 266/232/224 s, and 4 timed a test out).
# Then the files that stop a service, kill processes or need the relay to themselves, one at a time. Both
# phases always run, both get the arguments given (`npm test -- test/unit`: a phase with no file left
# passes), and either failing fails.
status=0
PA_TEST_PHASE=parallel jest --maxWorkers="${PA_TEST_WORKERS:-$(($(nproc) + 1))}" --passWithNoTests \
  --json --outputFile="$RESULTS/parallel.json" "$@" || status=$?
PA_TEST_PHASE=serial jest --runInBand --passWithNoTests --json --outputFile="$RESULTS/serial.json" "$@" ||
  status=$?
node scripts/test-summary.js "$RESULTS/parallel.json" "$RESULTS/serial.json" || { [ "$status" != 0 ] || status=1; }
exit "$status"
