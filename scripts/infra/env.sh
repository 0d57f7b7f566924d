#!/usr/bin/env bash
# Prints the addresses of the loopback servers as shell assignments (the test suites read them).
source "$(dirname "$0")/common.sh"
cat <<ENV
KAFKA_BROKER=127.0.0.1:$KAFKA_PORT
ELASTICSEARCH_URL=http://127.0.0.1:$ES_PORT
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
POSTGRES_URL=postgres://soc:soc@127.0.0.1:$PG_PORT/soc
POSTGRES_LOG_DIR=$RUN_DIR/postgres/log
ENV
bash "$(dirname "$0")/secure-backends.sh" env
bash "$(dirname "$0")/kafka-secure.sh" env
bash "$(dirname "$0")/jaeger.sh" env
bash "$(dirname "$0")/promtool.sh" env
