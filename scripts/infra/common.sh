# Shared settings of the loopback infrastructure; sourced by up.sh, down.sh and env.sh.
SOC_CACHE=${SOC_CACHE:-/var/cache/soc-pipeline}
RUN_DIR=$SOC_CACHE/run
DOWNLOADS=$SOC_CACHE/downloads
JAVA_HOME=${SOC_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
KAFKA_VERSION=3.9.2
ES_VERSION=8.19.21
KAFKA_PORT=19092
KAFKA_CONTROLLER_PORT=19093
ES_PORT=19200
REDIS_PORT=16379
PG_PORT=15432
PG_BIN=/usr/lib/postgresql/15/bin
# Elasticsearch and PostgreSQL refuse to run as root.
SERVICE_USER=socinfra
mkdir -p "$RUN_DIR" "$DOWNLOADS"

log() { printf '[infra] %s\n' "$*" >&2; }

# wait_until <seconds> <description> <logfile> <command...>: polls until the command succeeds.
wait_until() {
  local seconds=$1 what=$2 logfile=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      log "$what not healthy after ${seconds}s; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    sleep 1
  done
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stops the process of a pid file: TERM, up to 30 s to exit, then KILL.
stop_pidfile() {
  local name=$1 pidfile=$2
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid
  pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  log "$name stopped"
}
