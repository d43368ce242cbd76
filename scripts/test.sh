#!/usr/bin/env bash
# npm test: bring up what the tests need, run the whole suite (unit, workflow, integration against
# the real services) on a fresh test database, stop what this started.
set -euo pipefail
source "$(dirname "$0")/common.sh"
trap stop_what_we_started EXIT
trap on_signal INT TERM

bring_stack_up
# The tests get their own database, recreated each run, so `npm start`'s demo world is untouched.
export DATABASE_URL=${DATABASE_URL%/*}/partner_access_test
bash stack/stack.sh reset-database partner_access_test
prisma migrate deploy >/dev/null
export TEMPORAL_TEST_SERVER=$(bash stack/stack.sh test-server-path)
export NODE_ENV=test LOG_LEVEL=${LOG_LEVEL:-warn} PA_TEST_STACK=1
jest --runInBand "$@"
