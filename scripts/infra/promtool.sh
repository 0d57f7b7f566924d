#!/usr/bin/env bash
# promtool (Prometheus's rule checker and rule unit-test runner), built from the Prometheus Go
# module and cached under $SOC_CACHE/bin; release downloads are unreachable here. tests/monitoring
# runs it against the PrometheusRule the pipeline chart renders.
#
# Usage: promtool.sh build   build unless the cached binary is this version (cold: minutes on 2 cores)
#        promtool.sh env     print PROMTOOL=<path> for infra.env, when the binary exists
set -euo pipefail

# Prometheus v3.x is published to the Go module proxy as v0.3xx.y (v0.316.0 is Prometheus 3.16.0).
PROMETHEUS_MODULE_VERSION="${SOC_PROMETHEUS_MODULE_VERSION:-v0.316.0}"
SOC_CACHE="${SOC_CACHE:-/var/cache/soc-pipeline}"
BIN="$SOC_CACHE/bin"
PROMTOOL="$BIN/promtool"
STAMP="$BIN/.promtool.version"

log() { printf '[promtool] %s\n' "$*" >&2; }

up_to_date() { [[ -x "$PROMTOOL" && -f "$STAMP" && "$(cat "$STAMP")" == "$PROMETHEUS_MODULE_VERSION" ]]; }

build() {
  if up_to_date; then
    log "promtool $PROMETHEUS_MODULE_VERSION already built"
    return
  fi
  mkdir -p "$BIN"
  log "building promtool from github.com/prometheus/prometheus@$PROMETHEUS_MODULE_VERSION"
  local started=$SECONDS
  # Static binary; -mod=mod is not allowed with pkg@version, so drop it from any inherited GOFLAGS.
  local goflags="${GOFLAGS:-}"
  # remove_all_sd leaves out the service-discovery plugins (cloud SDKs): rule checks need none, and
  # they are most of the build.
  CGO_ENABLED=0 GOFLAGS="${goflags/-mod=mod/}" GOBIN="$BIN" go install -trimpath -tags remove_all_sd -ldflags="-s -w" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
  printf '%s\n' "$PROMETHEUS_MODULE_VERSION" >"$STAMP"
  log "promtool built in $((SECONDS - started))s: $PROMTOOL"
}

case "${1:-build}" in
  build) build ;;
  env) if up_to_date; then echo "PROMTOOL=$PROMTOOL"; fi ;;
  *) log "usage: $0 build|env"; exit 2 ;;
esac
