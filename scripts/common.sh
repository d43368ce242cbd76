# Shared by start.sh and test.sh: the local stack's settings, and stopping only what this run
# started (services another command brought up are left running).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
set -a; source stack/local.env; set +a
export PATH=$ROOT/node_modules/.bin:$PATH

STARTED_FILE=$(mktemp)
CHILD_PIDS=()
INTERRUPTED=0
on_signal() { INTERRUPTED=1; exit 130; }

alive_children() { local pid; for pid in "${CHILD_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done; }

stop_what_we_started() {
  local pid i
  # After Ctrl-C the children already have the terminal's SIGINT: a second signal would make tsx
  # kill them mid-shutdown. Give them time to finish draining; signal only those still running.
  if [ "$INTERRUPTED" = 1 ]; then
    for ((i = 0; i < 60; i++)); do [ -z "$(alive_children)" ] && break; sleep 0.25; done
  fi
  for pid in $(alive_children); do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${CHILD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Only the services named: `stack down` with no names stops every service, including ones another
  # command started (the record holds an empty line when this run started none).
  local started
  started=$(grep -v '^$' "$STARTED_FILE" || true)
  if [ -n "$started" ]; then
    # shellcheck disable=SC2086
    bash stack/stack.sh down $started
  fi
  rm -f "$STARTED_FILE"
}

bring_stack_up() {
  bash stack/stack.sh up --record "$STARTED_FILE"
}
