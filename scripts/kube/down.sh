#!/usr/bin/env bash
# Stop the local control plane started by up.sh (by pidfile only, never by name).
# Usage: scripts/kube/down.sh [--wipe]   --wipe also deletes the etcd data
#        (all objects, helm releases...). Certs and binaries stay cached.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$HERE/common.sh"

WIPE=0
[[ "${1:-}" == "--wipe" ]] && WIPE=1

stop() {
  local name=$1 pid i
  if ! pid_alive "$name"; then
    rm -f "$KUBE_RUN/$name.pid"
    return
  fi
  pid=$(cat "$KUBE_RUN/$name.pid")
  klog "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  # Graceful first (etcd flushes, apiserver drains); hard kill after 20s.
  for ((i = 0; i < 80; i++)); do
    [[ -d "/proc/$pid" ]] || break
    sleep 0.25
  done
  if [[ -d "/proc/$pid" ]]; then
    klog "$name did not exit, killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$KUBE_RUN/$name.pid"
}

# Reverse start order: clients before the store.
stop kube-controller-manager
stop kube-apiserver
stop etcd
rm -f "$KUBE_ENV_FILE" # tells consumers the cluster is gone

if [[ $WIPE -eq 1 ]]; then
  klog "wiping etcd data $KUBE_ETCD_DATA"
  rm -rf "$KUBE_ETCD_DATA"
fi
klog "stopped"
