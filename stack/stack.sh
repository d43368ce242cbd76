#!/usr/bin/env bash
# The local stack without Docker: PostgreSQL, a KRaft Kafka broker, the Temporal dev server (with
# its web UI) and maildev, each on 127.0.0.1, data and logs under one state folder, binaries cached
# outside the clone. The tests get a second maildev (mail-test) and their own Temporal namespace, so
# the mail UI and the Temporal UI show `npm start`'s demo world only.
#
#   stack/stack.sh install                 fetch what is missing (cached; fast the second time)
#   stack/stack.sh up [--record FILE] [svc...]   start what is not running; FILE lists what this call started
#                                          (default: every service but mail-test, which npm test names)
#   stack/stack.sh down [svc...]           stop services (default: every service with a pid file)
#   stack/stack.sh start|stop SVC          one service
#   stack/stack.sh status                  what runs, with ports and log paths
#   stack/stack.sh chromium-path           the browser the browser tests drive
#   stack/stack.sh temporal-cli-path       the Temporal CLI the stack runs (histories, raw history checks)
#
# Services: postgres kafka temporal mail zipkin mail-test kafka-secure (tests only, by name). Idempotent: `up` twice starts nothing the second time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=local.env
set -a; source "$ROOT/stack/local.env"; set +a

CACHE_DIR=${PA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/partner-access}
STATE_DIR=${PA_STATE_DIR:-$ROOT/.stack}
LOG_DIR=$STATE_DIR/logs
RUN_DIR=$STATE_DIR/run
SERVICES=(postgres kafka temporal mail mail-test kafka-secure zipkin)
# What `up` starts when no service is named: the tests' own mail sink only when npm test asks for it.
DEFAULT_SERVICES=(postgres kafka temporal mail zipkin)

KAFKA_VERSION=3.9.1
KAFKA_LIBS=$CACHE_DIR/kafka-$KAFKA_VERSION/libs
TEMPORAL_CLI_VERSION=v1.5.1
TEST_SERVER_DIR=$CACHE_DIR/temporal-test-server-1.31.0
# The SDK starts an existing-path time-skipping server as `<path> <port>`.
TEST_SERVER_BIN=$TEST_SERVER_DIR/test-server
TEMPORAL_BIN=$CACHE_DIR/temporal-cli-$TEMPORAL_CLI_VERSION/temporal
# Issue 13: the trace viewer, Zipkin's server as one executable jar from Maven Central (Java 17).
ZIPKIN_VERSION=3.5.1
ZIPKIN_JAR=$CACHE_DIR/zipkin-$ZIPKIN_VERSION/zipkin-server-$ZIPKIN_VERSION-exec.jar
# Go and Maven keep their downloads in the cache too, so a cold cache really is cold.
export GOPATH=${GOPATH_OVERRIDE:-$CACHE_DIR/go}
export GOMODCACHE=$GOPATH/pkg/mod
export GOCACHE=${GOCACHE_OVERRIDE:-$CACHE_DIR/go-build}
MVN_REPO=$CACHE_DIR/m2

# postgresql://USER:PASSWORD@HOST:PORT/NAME
if [[ ! $DATABASE_URL =~ ^postgres(ql)?://([^:]+):([^@]+)@127\.0\.0\.1:([0-9]+)/([A-Za-z0-9_]+)$ ]]; then
  echo "stack: DATABASE_URL must be postgresql://USER:PASSWORD@127.0.0.1:PORT/NAME for the local stack" >&2; exit 1
fi
DATABASE_USER=${BASH_REMATCH[2]} DATABASE_PASSWORD=${BASH_REMATCH[3]} DATABASE_PORT=${BASH_REMATCH[4]} DATABASE_NAME=${BASH_REMATCH[5]}
KAFKA_PORT=${KAFKA_BROKERS##*:}
TEMPORAL_PORT=${TEMPORAL_ADDRESS##*:}
TEMPORAL_UI_CODEC_ENDPOINT=http://127.0.0.1:$API_PORT/codec

log() { printf 'stack: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

mkdir -p "$CACHE_DIR" "$LOG_DIR" "$RUN_DIR"

is_root() { [ "$(id -u)" = 0 ]; }
as_postgres() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_of() { local f=$RUN_DIR/$1.pid; [ -f "$f" ] && cat "$f" || true; }
running() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/postgres" ] && { echo "$d"; return; }; done
  return 1
}

# ---------------------------------------------------------------- install
install_postgres() {
  pg_bin >/dev/null && return
  log "installing PostgreSQL (Debian package)"
  is_root || die "PostgreSQL is missing and installing it needs root: apt-get install postgresql"
  # The Debian package would create and start its own cluster; this stack runs its own instead.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin >/dev/null || die "PostgreSQL install did not provide a postgres binary"
}

# Browser tests drive Debian's chromium through playwright-core; Playwright's own browser download
# needs a vendor host these machines cannot reach.
CHROMIUM_BIN=/usr/bin/chromium
install_chromium() {
  [ -x "$CHROMIUM_BIN" ] && return
  log "installing Chromium (Debian package) for the browser tests"
  is_root || die "Chromium is missing and installing it needs root: apt-get install chromium"
  # apt's chatter (debconf notices on stderr included) goes to a log that a failure points to.
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
    >"$LOG_DIR/install-chromium.log" 2>&1 || die "installing chromium failed; see $LOG_DIR/install-chromium.log"
  [ -x "$CHROMIUM_BIN" ] || die "the chromium package did not provide $CHROMIUM_BIN"
}

install_kafka() {
  [ -f "$KAFKA_LIBS/.complete" ] && return
  command -v java >/dev/null || die "Kafka needs Java 17+ (java not found)"
  command -v mvn >/dev/null || die "resolving Kafka needs Maven (mvn not found)"
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  (cd "$ROOT/stack/kafka" && mvn -q -B -Dmaven.repo.local="$MVN_REPO" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS") >"$LOG_DIR/install-kafka.log" 2>&1 \
    || die "Kafka resolution failed; see $LOG_DIR/install-kafka.log"
  touch "$KAFKA_LIBS/.complete"
}

install_temporal() {
  [ -x "$TEMPORAL_BIN" ] && return
  command -v go >/dev/null || die "building the Temporal CLI needs Go (go not found)"
  log "building Temporal CLI $TEMPORAL_CLI_VERSION from the Go module proxy (first time only: several minutes)"
  mkdir -p "$(dirname "$TEMPORAL_BIN")"
  (cd "$CACHE_DIR" && GOBIN=$(dirname "$TEMPORAL_BIN") GOFLAGS=-mod=mod \
      go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION") \
      >"$LOG_DIR/install-temporal.log" 2>&1 \
    || die "Temporal CLI build failed; see $LOG_DIR/install-temporal.log"
}

install_test_server() {
  [ -x "$TEST_SERVER_BIN" ] && return
  log "resolving Temporal's time-skipping test server from Maven Central into $TEST_SERVER_DIR"
  rm -rf "$TEST_SERVER_DIR"
  (cd "$ROOT/stack/temporal-test-server" && mvn -q -B -Dmaven.repo.local="$MVN_REPO" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$TEST_SERVER_DIR/libs") >"$LOG_DIR/install-test-server.log" 2>&1 \
    || die "test server resolution failed; see $LOG_DIR/install-test-server.log"
  printf '#!/bin/sh\nexec java -Xmx256m -cp "%s/libs/*" io.temporal.testserver.TestServer "$@" --enable-time-skipping\n' "$TEST_SERVER_DIR" >"$TEST_SERVER_BIN"
  chmod +x "$TEST_SERVER_BIN"
}

install_zipkin() {
  [ -f "$ZIPKIN_JAR" ] && return
  command -v mvn >/dev/null || die "resolving Zipkin needs Maven (mvn not found)"
  log "resolving Zipkin $ZIPKIN_VERSION from Maven Central into $(dirname "$ZIPKIN_JAR")"
  (cd "$CACHE_DIR" && mvn -q -B -Dmaven.repo.local="$MVN_REPO" dependency:copy \
      -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -DoutputDirectory="$(dirname "$ZIPKIN_JAR")") \
      >"$LOG_DIR/install-zipkin.log" 2>&1 || die "Zipkin resolution failed; see $LOG_DIR/install-zipkin.log"
}

install_node_modules() {
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing npm dependencies from package-lock.json"
    # Not `npm ci`: the registry these machines reach has no builds of other platforms' optional
    # packages (e.g. @swc/core-darwin-*), so the lock cannot list them and `npm ci` refuses it.
    # `npm install` installs exactly the locked versions and leaves the lock as it is.
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error) >"$LOG_DIR/install-npm.log" 2>&1 \
      || die "npm install failed; see $LOG_DIR/install-npm.log"
  fi
  if [ ! -f "$ROOT/node_modules/.prisma/client/index.js" ] || [ "$ROOT/prisma/schema.prisma" -nt "$ROOT/node_modules/.prisma/client/index.js" ]; then
    (cd "$ROOT" && npx prisma generate) >"$LOG_DIR/install-prisma.log" 2>&1 \
      || die "prisma generate failed; see $LOG_DIR/install-prisma.log"
  fi
}

cmd_install() {
  install_node_modules
  install_postgres
  install_chromium
  install_kafka
  install_temporal
  install_test_server
  install_zipkin
}

# ---------------------------------------------------------------- start / stop
# Starts "$@" detached in its own session, stdout+stderr to the service's log.
spawn() {
  local svc=$1; shift
  setsid "$@" >>"$LOG_DIR/$svc.log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/$svc.pid"
}

wait_ready() {
  local svc=$1 timeout=$2 check=$3 i
  for ((i = 0; i < timeout * 4; i++)); do
    if eval "$check"; then return 0; fi
    running "$svc" || die "$svc exited during start; see $LOG_DIR/$svc.log"
    sleep 0.25
  done
  die "$svc was not ready within ${timeout}s; see $LOG_DIR/$svc.log"
}

refuse_foreign_port() {
  local svc=$1 port=$2
  port_open "$port" && die "port $port (for $svc) is taken by a process this stack did not start; stop it or change stack/local.env"
  return 0
}

pg_data_dir() {
  local d=$STATE_DIR/postgres
  # The server runs as the postgres user, which must be able to reach the folder; a clone under
  # /root cannot, so the data lives in postgres' home and the state folder links to it.
  if is_root && ! runuser -u postgres -- test -x "$STATE_DIR" 2>/dev/null; then
    local alt; alt=/var/lib/postgresql/partner-access/$(printf '%s' "$STATE_DIR" | md5sum | cut -c1-12)
    mkdir -p "$alt" && chown postgres:postgres "$alt" "$(dirname "$alt")"
    ln -sfn "$alt" "$d.link"
    d=$alt/data
  fi
  echo "$d"
}

start_postgres() {
  local bin data; bin=$(pg_bin) || die "PostgreSQL is not installed; run: npm run stack -- install"
  data=$(pg_data_dir)
  refuse_foreign_port postgres "$DATABASE_PORT"
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"; is_root && chown -R postgres:postgres "$data"
    chmod 700 "$data"
    local pw; pw=$(mktemp); printf '%s' "$DATABASE_PASSWORD" >"$pw"; chmod 644 "$pw"
    as_postgres "$bin/initdb" -D "$data" -U "$DATABASE_USER" --pwfile="$pw" --auth=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >>"$LOG_DIR/postgres.log" 2>&1 || { rm -f "$pw"; die "initdb failed; see $LOG_DIR/postgres.log"; }
    rm -f "$pw"
  fi
  touch "$LOG_DIR/postgres.log"; is_root && chown postgres "$LOG_DIR/postgres.log"
  if is_root; then
    spawn postgres runuser -u postgres -- "$bin/postgres" -D "$data" -p "$DATABASE_PORT" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c max_connections=200
  else
    spawn postgres "$bin/postgres" -D "$data" -p "$DATABASE_PORT" \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c max_connections=200
  fi
  wait_ready postgres 60 "PGPASSWORD=\$DATABASE_PASSWORD pg_isready -q -h 127.0.0.1 -p $DATABASE_PORT -U $DATABASE_USER -d postgres"
  ensure_database "$DATABASE_NAME"
}

ensure_database() {
  local db=$1
  export PGPASSWORD=$DATABASE_PASSWORD
  if ! psql -h 127.0.0.1 -p "$DATABASE_PORT" -U "$DATABASE_USER" -d postgres -tAc \
      "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$DATABASE_PORT" -U "$DATABASE_USER" -d postgres -qc "create database \"$db\"" >/dev/null
  fi
}

reset_database() {
  local db=$1
  export PGPASSWORD=$DATABASE_PASSWORD
  PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -p "$DATABASE_PORT" -U "$DATABASE_USER" -d postgres -qc "drop database if exists \"$db\" with (force)" >/dev/null
  ensure_database "$db"
}

start_kafka() {
  [ -f "$KAFKA_LIBS/.complete" ] || die "Kafka is not installed; run: npm run stack -- install"
  refuse_foreign_port kafka "$KAFKA_PORT"
  local dir=$STATE_DIR/kafka props=$STATE_DIR/kafka/server.properties
  mkdir -p "$dir/data"
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
EOF
  cat >"$dir/log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
EOF
  if [ ! -f "$dir/data/meta.properties" ]; then
    java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$dir/log4j.properties" kafka.tools.StorageTool \
      format --cluster-id="$(cat "$dir/cluster-id" 2>/dev/null || uuid_for_kafka "$dir")" -c "$props" \
      >>"$LOG_DIR/kafka.log" 2>&1 || die "Kafka storage format failed; see $LOG_DIR/kafka.log"
  fi
  spawn kafka java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$KAFKA_LIBS/*" kafka.Kafka "$props"
  wait_ready kafka 90 "port_open $KAFKA_PORT"
}

# A KRaft cluster id is 16 random bytes in URL-safe base64 without padding; kept for restarts. One in
# 64 starts with "-", which the storage tool would read as an option: hence --cluster-id=<id> above.
uuid_for_kafka() {
  local id; id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  echo "$id" >"$1/cluster-id"; echo "$id"
}

# kafka-secure: a second broker, for the tests of production connections only (the engine and the demo
# use `kafka`). Its one client listener is SASL_SSL, with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN, and
# asks for (but does not require) a client certificate. Its certificate authority and certificate are
# made here once with openssl ($STATE_DIR/kafka-secure/tls, ca.pem is what clients trust); the SCRAM
# user is written into the metadata log when its storage is formatted, the PLAIN users are in its JAAS
# settings. Own ports, own data: starting or stopping it leaves `kafka` alone.
kafka_secure_tls() {
  local tls=$1
  [ -f "$tls/broker.pem" ] && return
  command -v openssl >/dev/null || die "kafka-secure needs openssl to make its certificates"
  mkdir -p "$tls"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=partner-access-local-kafka-ca \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$tls/ca.key" -out "$tls/ca.pem"
    openssl req -newkey rsa:2048 -nodes -subj /CN=kafka-secure -keyout "$tls/broker.key" -out "$tls/broker.csr"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/broker.ext"
    openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 3650 \
      -extfile "$tls/broker.ext" -out "$tls/broker.crt"
  } >>"$LOG_DIR/kafka-secure.log" 2>&1 || die "kafka-secure certificates failed; see $LOG_DIR/kafka-secure.log"
  # Kafka's PEM key store: the (unencrypted PKCS#8) key, then the certificate chain.
  cat "$tls/broker.key" "$tls/broker.crt" "$tls/ca.pem" >"$tls/broker.pem"
}

start_kafka_secure() {
  [ -f "$KAFKA_LIBS/.complete" ] || die "Kafka is not installed; run: npm run stack -- install"
  refuse_foreign_port kafka-secure "$KAFKA_SECURE_PORT"
  refuse_foreign_port kafka-secure "$KAFKA_SECURE_CONTROLLER_PORT"
  local dir=$STATE_DIR/kafka-secure props=$STATE_DIR/kafka-secure/server.properties
  local user=$KAFKA_SECURE_USERNAME password=$KAFKA_SECURE_PASSWORD broker_password
  mkdir -p "$dir/data"
  kafka_secure_tls "$dir/tls"
  [ -f "$dir/broker-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/broker-password"
  broker_password=$(cat "$dir/broker-password")
  cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_SECURE_CONTROLLER_PORT
listeners=SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT,CONTROLLER://127.0.0.1:$KAFKA_SECURE_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.mechanism.inter.broker.protocol=PLAIN
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="$broker_password" user_broker="$broker_password" user_$user="$password";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$dir/tls/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$dir/tls/ca.pem
listener.name.sasl_ssl.ssl.client.auth=requested
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cp "$STATE_DIR/kafka/log4j.properties" "$dir/log4j.properties" 2>/dev/null || printf 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' >"$dir/log4j.properties"
  if [ ! -f "$dir/data/meta.properties" ]; then
    java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$dir/log4j.properties" kafka.tools.StorageTool \
      format --cluster-id="$(cat "$dir/cluster-id" 2>/dev/null || uuid_for_kafka "$dir")" -c "$props" \
      --add-scram "SCRAM-SHA-256=[name=$user,password=$password]" \
      --add-scram "SCRAM-SHA-512=[name=$user,password=$password]" \
      >>"$LOG_DIR/kafka-secure.log" 2>&1 || die "kafka-secure storage format failed; see $LOG_DIR/kafka-secure.log"
  fi
  spawn kafka-secure java -Xms128m -Xmx384m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$KAFKA_LIBS/*" kafka.Kafka "$props"
  wait_ready kafka-secure 90 "port_open $KAFKA_SECURE_PORT"
}

start_temporal() {
  [ -x "$TEMPORAL_BIN" ] || die "Temporal CLI is not installed; run: npm run stack -- install"
  refuse_foreign_port temporal "$TEMPORAL_PORT"
  mkdir -p "$STATE_DIR/temporal"
  local sa args=()
  for sa in $TEMPORAL_SEARCH_ATTRIBUTES; do args+=(--search-attribute "$sa"); done
  # start-dev creates each --namespace that its database lacks, with the search attributes. The UI
  # decodes payloads through the API's codec server (api/codec-server.ts); the history stays encrypted.
  spawn temporal "$TEMPORAL_BIN" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$TEMPORAL_UI_PORT" --ui-codec-endpoint "$TEMPORAL_UI_CODEC_ENDPOINT" \
    --namespace "$TEMPORAL_NAMESPACE" --namespace "$TEST_TEMPORAL_NAMESPACE" \
    --db-filename "$STATE_DIR/temporal/temporal.db" --sqlite-pragma journal_mode=WAL \
    --log-level warn "${args[@]}"
  wait_ready temporal 90 "port_open $TEMPORAL_PORT && port_open $TEMPORAL_UI_PORT && \"$TEMPORAL_BIN\" operator namespace describe --address $TEMPORAL_ADDRESS -n $TEMPORAL_NAMESPACE >/dev/null 2>&1"
  ensure_temporal_namespaces
}

temporal_cli() { "$TEMPORAL_BIN" "$@" --address "$TEMPORAL_ADDRESS"; }

# Each namespace (the demo's, the tests', the benches') exists and has every search attribute, also on a server that
# an older version of the project started or created the database of: start-dev adds search attributes
# only to the namespaces it creates. Runs on every `up`, so a running server is brought up to date too.
ensure_temporal_namespaces() {
  local ns sa name have i
  for ns in "$TEMPORAL_NAMESPACE" "$TEST_TEMPORAL_NAMESPACE" "$BENCH_TEMPORAL_NAMESPACE"; do
    if ! temporal_cli operator namespace describe -n "$ns" >/dev/null 2>&1; then
      log "creating Temporal namespace $ns"
      temporal_cli operator namespace create -n "$ns" >/dev/null 2>&1 \
        || temporal_cli operator namespace describe -n "$ns" >/dev/null 2>&1 \
        || die "could not create Temporal namespace $ns; see $LOG_DIR/temporal.log"
      # The frontend learns of a new namespace on its next cache refresh (about 10 s): until then it
      # answers "namespace not found" to workers and to search-attribute changes alike.
      for ((i = 0; i < 120; i++)); do
        temporal_cli workflow list -n "$ns" --limit 1 >/dev/null 2>&1 && break
        sleep 0.25
      done
    fi
    have=$(temporal_cli operator search-attribute list -n "$ns" 2>/dev/null || true)
    for sa in $TEMPORAL_SEARCH_ATTRIBUTES; do
      name=${sa%%=*}
      grep -qw "$name" <<<"$have" || temporal_cli operator search-attribute create -n "$ns" --name "$name" \
        --type "${sa#*=}" >/dev/null || die "could not register search attribute $name in namespace $ns"
    done
  done
}

# maildev as service $1, with SMTP on $2, its UI on $3 and its messages in $STATE_DIR/$1.
start_maildev() {
  local svc=$1 smtp=$2 ui=$3 bin=$ROOT/node_modules/.bin/maildev
  [ -x "$bin" ] || die "maildev is not installed; run: npm run stack -- install"
  refuse_foreign_port "$svc" "$smtp"
  refuse_foreign_port "$svc" "$ui"
  mkdir -p "$STATE_DIR/$svc"
  spawn "$svc" "$bin" --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$smtp" -w "$ui" --mail-directory "$STATE_DIR/$svc"
  wait_ready "$svc" 30 "port_open $smtp && port_open $ui"
}

start_mail() { start_maildev mail "$SMTP_PORT" "$MAIL_UI_PORT"; }
# The tests' own sink: what they send never shows in the demo's mail UI, and theirs holds only theirs.
start_mail_test() { start_maildev mail-test "$TEST_SMTP_PORT" "$TEST_MAIL_UI_PORT"; }

# Zipkin with its in-memory store (the newest 50,000 spans; a restart forgets them), on loopback only.
# C1 only and the serial collector: ready in about 10 s instead of 30 on 2 busy cores (a viewer needs no peak).
start_zipkin() {
  refuse_foreign_port zipkin "$ZIPKIN_PORT"
  spawn zipkin env STORAGE_TYPE=mem MEM_MAX_SPANS=50000 \
    java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$ZIPKIN_JAR" \
    "--armeria.ports[0].port=$ZIPKIN_PORT" --armeria.ports[0].ip=127.0.0.1 --armeria.ports[0].protocols=http
  wait_ready zipkin 120 "port_open $ZIPKIN_PORT"
}

start_service() {
  local svc=$1
  if running "$svc"; then return 1; fi
  log "starting $svc (log: $LOG_DIR/$svc.log)"
  "start_${svc//-/_}"
  return 0
}

stop_service() {
  local svc=$1 pid i
  pid=$(pid_of "$svc")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping $svc"
    # Each service runs in its own session (setsid): signal the whole group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$svc did not stop within 30s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$RUN_DIR/$svc.pid"
}

valid_service() { local s; for s in "${SERVICES[@]}"; do [ "$s" = "$1" ] && return 0; done; die "unknown service '$1' (one of: ${SERVICES[*]})"; }

cmd_up() {
  local record="" svcs=() started=()
  while [ $# -gt 0 ]; do
    case $1 in --record) record=$2; shift 2 ;; *) valid_service "$1"; svcs+=("$1"); shift ;; esac
  done
  [ ${#svcs[@]} -gt 0 ] || svcs=("${DEFAULT_SERVICES[@]}")
  cmd_install
  local svc
  for svc in "${svcs[@]}"; do
    if start_service "$svc"; then started+=("$svc")
    elif [ "$svc" = temporal ]; then ensure_temporal_namespaces; fi
    # Record as we go, so a failure half-way still lets the caller stop what did start.
    [ -n "$record" ] && printf '%s\n' "${started[@]}" >"$record"
  done
  log "up: ${svcs[*]} (started now: ${started[*]:-none})"
}

cmd_down() {
  local svcs=("$@") i
  [ ${#svcs[@]} -gt 0 ] || svcs=("${SERVICES[@]}")
  # Reverse order: dependants first.
  for ((i = ${#svcs[@]} - 1; i >= 0; i--)); do valid_service "${svcs[$i]}"; stop_service "${svcs[$i]}"; done
}

cmd_status() {
  local svc
  for svc in "${SERVICES[@]}"; do
    if running "$svc"; then printf '%-12s running  pid %-7s log %s\n' "$svc" "$(pid_of "$svc")" "$LOG_DIR/$svc.log"
    else printf '%-12s stopped\n' "$svc"; fi
  done
}

case ${1:-status} in
  install) cmd_install ;;
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  start)
    valid_service "${2:?service}"; cmd_install
    if ! start_service "$2"; then
      log "$2 already running"
      if [ "$2" = temporal ]; then ensure_temporal_namespaces; fi
    fi ;;
  stop) valid_service "${2:?service}"; stop_service "$2" ;;
  status) cmd_status ;;
  ensure-database) ensure_database "${2:?database name}" ;;
  test-server-path) echo "$TEST_SERVER_BIN" ;;
  chromium-path) echo "$CHROMIUM_BIN" ;;
  temporal-cli-path) echo "$TEMPORAL_BIN" ;;
  reset-database) reset_database "${2:?database name}" ;;
  *) die "usage: stack.sh install|up [--record FILE] [svc...]|down [svc...]|start SVC|stop SVC|status|chromium-path|temporal-cli-path" ;;
esac
