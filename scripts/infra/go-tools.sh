#!/usr/bin/env bash
# promtool and Jaeger: Go programs that only tests/monitoring and tests/tracing need, built from the
# Go module proxy and cached in $SOC_CACHE/bin. Cold, they are CPU minutes; `make test` starts them
# in the background first thing (niced), so they overlap the set-up's downloads and the other
# suites instead of adding to them, and waits for them just before the two suites that use them.
#   go-tools.sh start   build in the background (returns at once; a no-op build when both are current)
#   go-tools.sh wait    wait for a background build, then build in the foreground whatever is still
#                       missing (so it also works alone), failing with the build's output
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

dir=$RUN_DIR/go-tools
build_all() { bash "$here/promtool.sh" build && bash "$here/jaeger.sh" build; }

start() {
  mkdir -p "$dir"
  if pid_alive "$dir/pid"; then log "go tools: already building (log: $dir/build.log)"; return; fi
  nohup nice -n 10 bash -c "$(declare -f build_all); here='$here'; build_all" >"$dir/build.log" 2>&1 &
  echo $! >"$dir/pid"
  log "go tools: building promtool and jaeger in the background (log: $dir/build.log)"
}

wait_for_build() {
  if pid_alive "$dir/pid"; then
    log "go tools: waiting for the background build (log: $dir/build.log)"
    while pid_alive "$dir/pid"; do sleep 2; done
  fi
  build_all
}

case "${1:-}" in
  start) start ;;
  wait) wait_for_build ;;
  *) echo "usage: $0 start | wait" >&2; exit 2 ;;
esac
