#!/usr/bin/env bash
# Fetches (cached under $SOC_CACHE) and starts real Kafka (KRaft), Elasticsearch, Redis and
# PostgreSQL on loopback, waiting until each is healthy. `up.sh kafka redis` starts only those.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

ensure_service_user() {
  id "$SERVICE_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
}

kafka_cli() { "$JAVA_HOME/bin/java" -Xmx256m -cp "$DOWNLOADS/kafka-$KAFKA_VERSION/libs/*" "$@"; }

start_kafka() {
  local libs=$DOWNLOADS/kafka-$KAFKA_VERSION/libs dir=$RUN_DIR/kafka
  if pid_alive "$dir/pid"; then
    log "kafka already running"
  else
    launch_kafka "$libs" "$dir"
  fi
  wait_until 120 kafka "$dir/kafka.log" kafka_cli org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list
  create_topics
}

launch_kafka() {
  local libs=$1 dir=$2
  if [ ! -f "$libs/.complete" ]; then
    log "kafka: resolving $KAFKA_VERSION jars from Maven Central"
    mvn -q -f "$here/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime >/dev/null
    touch "$libs/.complete"
  fi
  mkdir -p "$dir/data"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.min.compaction.lag.ms=0
PROPS
  cat > "$dir/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
  if [ ! -f "$dir/data/meta.properties" ]; then
    kafka_cli kafka.tools.StorageTool format -t "$(kafka_cli kafka.tools.StorageTool random-uuid)" -c "$dir/server.properties" >/dev/null
  fi
  nohup "$JAVA_HOME/bin/java" -Xms512m -Xmx512m -Dlog4j.configuration="file:$dir/log4j.properties" \
    -cp "$libs/*" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
  echo $! >"$dir/pid"
}

create_topics() {
  local existing
  existing=$(kafka_cli org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list)
  while read -r topic partitions config; do
    grep -qx "$topic" <<<"$existing" && continue
    kafka_cli org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --create --topic "$topic" \
      --partitions "$partitions" --replication-factor 1 ${config:+--config "$config"} >/dev/null
  done <<TOPICS
logs 6
config-updates 1 cleanup.policy=compact
high-priority-alerts 3
logs-dlq 1
config-updates-dlq 1
high-priority-alerts-dlq 1
TOPICS
}

start_elasticsearch() {
  local home=$DOWNLOADS/elasticsearch-$ES_VERSION dir=$RUN_DIR/elasticsearch
  if pid_alive "$dir/pid"; then log "elasticsearch already running"; return; fi
  if [ ! -x "$home/bin/elasticsearch" ]; then
    local zip=$DOWNLOADS/elasticsearch-$ES_VERSION.zip
    log "elasticsearch: downloading the $ES_VERSION integ-test zip from Maven Central"
    curl -fsSL -o "$zip.part" "https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
    mv "$zip.part" "$zip"
    unzip -q -o "$zip" -d "$DOWNLOADS"
  fi
  ensure_service_user
  # A fresh copy of the stock config each start, so nothing generated at an earlier start lingers.
  rm -rf "$dir/config"
  mkdir -p "$dir/data" "$dir/logs" "$dir/config"
  cp -r "$home/config/." "$dir/config/"
  cat > "$dir/config/elasticsearch.yml" <<YML
cluster.name: soc-pipeline
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: 19300
discovery.type: single-node
path.data: $dir/data
path.logs: $dir/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
# Loopback test server: plain HTTP without credentials.
xpack.security.enabled: false
YML
  chown -R "$SERVICE_USER" "$dir"
  runuser -u "$SERVICE_USER" -- env ES_JAVA_HOME="$JAVA_HOME" ES_PATH_CONF="$dir/config" \
    ES_JAVA_OPTS="-Xms1g -Xmx1g" "$home/bin/elasticsearch" -d -p "$dir/pid" >"$dir/start.log" 2>&1 || {
    log "elasticsearch failed to start"; tail -n 30 "$dir/start.log" >&2; return 1; }
  wait_until 180 elasticsearch "$dir/logs/soc-pipeline.log" \
    curl -fs "http://127.0.0.1:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=5s"
}

start_redis() {
  local dir=$RUN_DIR/redis
  mkdir -p "$dir"
  if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then log "redis already running"; return; fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/pid" --logfile "$dir/redis.log" --dir "$dir"
  wait_until 20 redis "$dir/redis.log" bash -c "redis-cli -p $REDIS_PORT ping | grep -q PONG"
}

start_postgres() {
  local dir=$RUN_DIR/postgres
  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then log "postgres already running"; return; fi
  ensure_service_user
  mkdir -p "$dir/log"
  chown -R "$SERVICE_USER" "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    echo soc-superuser >"$dir/pwfile" && chown "$SERVICE_USER" "$dir/pwfile"
    runuser -u "$SERVICE_USER" -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -A scram-sha-256 >/dev/null
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$dir'
logging_collector = on
log_destination = 'csvlog,jsonlog'
log_directory = '$dir/log'
log_file_mode = 0644
log_connections = on
CONF
  fi
  runuser -u "$SERVICE_USER" -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
  chmod 755 "$dir" "$dir/log"
  PGPASSWORD=soc-superuser "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
SELECT 'CREATE ROLE soc LOGIN PASSWORD ''soc''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'soc')\gexec
SELECT 'CREATE DATABASE soc OWNER soc' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'soc')\gexec
SQL
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(kafka elasticsearch redis postgres)
for component in "${components[@]}"; do
  started=$SECONDS
  "start_$component"
  log "$component ready in $((SECONDS - started))s"
done
bash "$here/secure-backends.sh" up "${components[@]}"
[[ " ${components[*]} " == *" kafka "* ]] && bash "$here/kafka-secure.sh" up
bash "$here/env.sh" >"$RUN_DIR/infra.env"
log "addresses in $RUN_DIR/infra.env"
