# Shared settings for scripts/kube/*.sh (sourced, not executed).
# Everything lives under $SOC_CACHE so the repo stays clean and the control
# plane survives `git clean`. Same default as the Makefile and scripts/infra,
# so `make` targets and direct calls share one build and one running cluster.
SOC_CACHE="${SOC_CACHE:-/var/cache/soc-pipeline}"
KUBE_BIN="$SOC_CACHE/bin"
KUBE_RUN="$SOC_CACHE/run/kube"
KUBE_PKI="$KUBE_RUN/pki"           # cached CA, serving/client certs, SA keys
KUBE_ETCD_DATA="$KUBE_RUN/etcd-data"
KUBE_LOGS="$KUBE_RUN/logs"
KUBECONFIG_PATH="$KUBE_RUN/kubeconfig"
KUBE_ENV_FILE="$SOC_CACHE/run/kube.env" # `KUBECONFIG=...`, like run/infra.env

# Loopback only, on uncommon ports so a real cluster/kind on the default
# ports is never disturbed.
ETCD_PORT="${SOC_KUBE_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${SOC_KUBE_ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${SOC_KUBE_APISERVER_PORT:-16443}"
KCM_PORT="${SOC_KUBE_KCM_PORT:-16257}"
# Run kube-controller-manager (GC, namespace deletion, Deployment->ReplicaSet->Pod)?
KUBE_WITH_KCM="${SOC_KUBE_KCM:-1}"

klog() { printf '[kube] %s\n' "$*" >&2; }

# pid_alive NAME: the pid in NAME.pid is running and is really our binary
# (guards against a stale pidfile whose pid got reused).
pid_alive() {
  local pidfile="$KUBE_RUN/$1.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid=$(cat "$pidfile")
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$KUBE_BIN/$1"* ]]
}

etcd_healthy() {
  curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'
}

apiserver_ready() {
  [[ -f "$KUBE_PKI/admin.crt" ]] || return 1
  [[ "$(curl -s --max-time 3 --cacert "$KUBE_PKI/ca.crt" --cert "$KUBE_PKI/admin.crt" \
    --key "$KUBE_PKI/admin.key" "https://127.0.0.1:$APISERVER_PORT/readyz" 2>/dev/null)" == ok ]]
}

kcm_healthy() {
  [[ "$(curl -sk --max-time 3 "https://127.0.0.1:$KCM_PORT/healthz" 2>/dev/null)" == ok ]]
}
