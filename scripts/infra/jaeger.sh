#!/usr/bin/env bash
# Jaeger v2 on loopback, the trace backend of the tracing tests: an OTLP/HTTP receiver and the query
# API over in-memory storage. Built from the Go module proxy (no release downloads here) and cached in
# $SOC_CACHE/bin like scripts/kube/build.sh does for kube-apiserver.
#   jaeger.sh up | down | env | build [--force]
# Jaeger's Go module carries v1.x tags; v1.76.0 is the v2 binary cmd/jaeger of that release.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

JAEGER_VERSION=${SOC_JAEGER_VERSION:-v1.76.0}
JAEGER_OTLP_HTTP_PORT=14318
JAEGER_QUERY_PORT=16686
JAEGER_QUERY_GRPC_PORT=16685
JAEGER_HEALTH_PORT=13133
BIN=$SOC_CACHE/bin
dir=$RUN_DIR/jaeger

build() {
  local stamp=$BIN/.jaeger.version
  if [[ "${1:-}" != "--force" && -x "$BIN/jaeger" && "$(cat "$stamp" 2>/dev/null)" == "$JAEGER_VERSION" ]]; then return; fi
  # `go install ...@version` refuses a module with replace directives, and Jaeger's go.mod has one
  # (sarama); a throwaway requiring module repeats it.
  local src=$SOC_CACHE/jaeger-build/$JAEGER_VERSION gomod
  mkdir -p "$src" "$BIN"
  # sed, not jq: this runs from `make test`'s first step, before the Debian packages are installed.
  gomod=$(GOFLAGS=-mod=mod go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  {
    printf 'module soc.local/jaeger-build\n\n'
    sed -nE 's/^go (.*)/go \1/p' "$gomod"
    printf '\nrequire github.com/jaegertracing/jaeger %s\n\n' "$JAEGER_VERSION"
    grep -E '^replace ' "$gomod"
  } >"$src/go.mod"
  [[ -f "$src/go.sum" ]] || : >"$src/go.sum"
  log "jaeger: building $JAEGER_VERSION from Go modules (cold: several minutes on 2 cores)"
  local started=$SECONDS
  (cd "$src" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" go build -trimpath -ldflags="-s -w" -o "$BIN/jaeger" \
    github.com/jaegertracing/jaeger/cmd/jaeger)
  printf '%s\n' "$JAEGER_VERSION" >"$stamp"
  log "jaeger: built in $((SECONDS - started))s"
}

write_config() {
  mkdir -p "$dir"
  cat >"$dir/config.yaml" <<YAML
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memory_store:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memory_store
    http:
      endpoint: 127.0.0.1:$JAEGER_QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$JAEGER_QUERY_GRPC_PORT
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:$JAEGER_HEALTH_PORT
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$JAEGER_OTLP_HTTP_PORT
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memory_store
YAML
}

up() {
  build
  if pid_alive "$dir/pid"; then
    log "jaeger already running"
  else
    write_config
    nohup "$BIN/jaeger" --config "$dir/config.yaml" >"$dir/jaeger.log" 2>&1 &
    echo $! >"$dir/pid"
  fi
  wait_until 60 jaeger "$dir/jaeger.log" curl -fs "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services"
}

print_env() {
  echo "JAEGER_OTLP_ENDPOINT=http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT"
  echo "JAEGER_QUERY_URL=http://127.0.0.1:$JAEGER_QUERY_PORT"
}

case "${1:-up}" in
  up) up ;;
  down) stop_pidfile jaeger "$dir/pid" ;;
  env) print_env ;;
  build) build "${2:-}" ;;
  *) echo "usage: $0 up | down | env | build [--force]" >&2; exit 2 ;;
esac
