#!/usr/bin/env bash
# Stops the loopback servers; --wipe also deletes their data.
set -euo pipefail
source "$(dirname "$0")/common.sh"
bash "$(dirname "$0")/secure-backends.sh" down
stop_pidfile kafka "$RUN_DIR/kafka/pid"
bash "$(dirname "$0")/kafka-secure.sh" down "${1:-}"
stop_pidfile elasticsearch "$RUN_DIR/elasticsearch/pid"
stop_pidfile redis "$RUN_DIR/redis/pid"
bash "$(dirname "$0")/jaeger.sh" down
if [ -f "$RUN_DIR/postgres/data/postmaster.pid" ]; then
  runuser -u "$SERVICE_USER" -- "$PG_BIN/pg_ctl" -D "$RUN_DIR/postgres/data" -m fast stop >/dev/null && log "postgres stopped"
fi
if [ "${1:-}" = "--wipe" ]; then
  rm -rf "$RUN_DIR/kafka" "$RUN_DIR/elasticsearch" "$RUN_DIR/redis" "$RUN_DIR/postgres"
  log "data wiped"
fi
