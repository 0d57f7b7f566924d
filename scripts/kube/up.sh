#!/usr/bin/env bash
# Start a local, envtest-style Kubernetes control plane on loopback:
# etcd + kube-apiserver (+ kube-controller-manager unless SOC_KUBE_KCM=0).
# No scheduler, no kubelet: Pods are created but never run.
#
# Usage:  eval "$(scripts/kube/up.sh)"     # sets KUBECONFIG in your shell
# stdout carries only the `export KUBECONFIG=...` line; progress goes to stderr.
# Idempotent: does nothing but print the export line if already healthy.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$HERE/common.sh"

# Builds are skipped quickly when the pinned versions are already cached.
"$HERE/build.sh" >&2

mkdir -p "$KUBE_RUN" "$KUBE_PKI" "$KUBE_LOGS"
chmod 700 "$KUBE_RUN" "$KUBE_PKI"

# ---------------------------------------------------------------- PKI
# Self-signed CA, apiserver serving cert, admin client cert (system:masters),
# SA signing key pair. Generated once and cached; delete $KUBE_PKI to rotate.
gen_pki() {
  local d="$KUBE_PKI"
  [[ -f "$d/admin.crt" && -f "$d/sa.key" && -f "$d/apiserver.crt" ]] && return
  klog "generating PKI in $d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=soc-kube-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null

  # Serving cert: valid for loopback and the in-cluster service names/IP
  # (10.0.0.1 is the first IP of --service-cluster-ip-range).
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$d/apiserver.key" -out "$d/apiserver.csr" 2>/dev/null
  cat >"$d/apiserver.ext" <<EOF
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.0.0.1
EOF
  openssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 3650 -extfile "$d/apiserver.ext" -out "$d/apiserver.crt" 2>/dev/null

  # Admin client cert: O=system:masters bypasses RBAC (cluster-admin).
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=soc-admin" \
    -keyout "$d/admin.key" -out "$d/admin.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$d/client.ext"
  openssl x509 -req -in "$d/admin.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 3650 -extfile "$d/client.ext" -out "$d/admin.crt" 2>/dev/null

  # ServiceAccount token signing key pair.
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  rm -f "$d"/*.csr
  chmod 600 "$d"/*.key
}

write_kubeconfig() {
  # Credentials embedded (base64) so the file is self-contained for any client
  # (kubectl, helm, @kubernetes/client-node, client-go).
  local tmp="$KUBECONFIG_PATH.tmp"
  cat >"$tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: soc-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 <"$KUBE_PKI/ca.crt")
users:
- name: soc-admin
  user:
    client-certificate-data: $(base64 -w0 <"$KUBE_PKI/admin.crt")
    client-key-data: $(base64 -w0 <"$KUBE_PKI/admin.key")
contexts:
- name: soc-local
  context:
    cluster: soc-local
    user: soc-admin
    namespace: default
current-context: soc-local
EOF
  chmod 600 "$tmp"
  mv "$tmp" "$KUBECONFIG_PATH"
}

# port_free PORT: nothing listens on 127.0.0.1:PORT (else someone else owns it).
port_free() { ! ss -Htln "sport = :$1" | grep -q .; }

# start NAME ARGS...: launch detached in its own session (survives the calling
# shell and its job control), log to $KUBE_LOGS/NAME.log, pid to NAME.pid.
start() {
  local name=$1
  shift
  klog "starting $name (log: $KUBE_LOGS/$name.log)"
  setsid "$KUBE_BIN/$name" "$@" >>"$KUBE_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$KUBE_RUN/$name.pid"
}

# wait_for DESC TIMEOUT_S CHECK_FN PIDNAME: poll, fail early if the process died.
wait_for() {
  local desc=$1 timeout=$2 check=$3 name=$4 i
  for ((i = 0; i < timeout * 4; i++)); do
    "$check" && return 0
    if ! pid_alive "$name"; then
      klog "$name exited; last log lines:"
      tail -n 30 "$KUBE_LOGS/$name.log" >&2
      exit 1
    fi
    sleep 0.25
  done
  klog "timed out after ${timeout}s waiting for $desc; last log lines:"
  tail -n 30 "$KUBE_LOGS/$name.log" >&2
  exit 1
}

t0=$SECONDS
gen_pki
write_kubeconfig # cheap; keeps it in sync with the cached certs

# ---------------------------------------------------------------- etcd
if pid_alive etcd && etcd_healthy; then
  klog "etcd already running (pid $(cat "$KUBE_RUN/etcd.pid"))"
else
  pid_alive etcd && { klog "etcd pid alive but unhealthy; see $KUBE_LOGS/etcd.log"; exit 1; }
  port_free "$ETCD_PORT" || { klog "port $ETCD_PORT busy but not our etcd"; exit 1; }
  # --unsafe-no-fsync: throwaway dev data, fsync dominates startup/latency (envtest does the same).
  start etcd \
    --name=soc --data-dir="$KUBE_ETCD_DATA" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="soc=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --log-level=warn
  wait_for etcd 60 etcd_healthy etcd
fi

# ---------------------------------------------------------------- kube-apiserver
if pid_alive kube-apiserver && apiserver_ready; then
  klog "kube-apiserver already running (pid $(cat "$KUBE_RUN/kube-apiserver.pid"))"
else
  if pid_alive kube-apiserver; then
    # Started but not ready yet (e.g. a concurrent up.sh): just wait for it.
    wait_for kube-apiserver 120 apiserver_ready kube-apiserver
  else
    port_free "$APISERVER_PORT" || { klog "port $APISERVER_PORT busy but not our kube-apiserver"; exit 1; }
    # ServiceAccount admission is disabled like envtest: nothing runs Pods, and
    # it would otherwise reject Pods until a default ServiceAccount exists.
    start kube-apiserver \
      --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
      --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
      --cert-dir="$KUBE_RUN/apiserver-certs" \
      --tls-cert-file="$KUBE_PKI/apiserver.crt" --tls-private-key-file="$KUBE_PKI/apiserver.key" \
      --client-ca-file="$KUBE_PKI/ca.crt" \
      --authorization-mode=RBAC \
      --service-account-issuer=https://kubernetes.default.svc.cluster.local \
      --service-account-key-file="$KUBE_PKI/sa.pub" \
      --service-account-signing-key-file="$KUBE_PKI/sa.key" \
      --service-cluster-ip-range=10.0.0.0/24 \
      --disable-admission-plugins=ServiceAccount \
      --allow-privileged=true \
      --profiling=false
    wait_for kube-apiserver 120 apiserver_ready kube-apiserver
  fi
fi

# ---------------------------------------------------------------- kube-controller-manager
# Only the controllers that matter without a kubelet: ownerReference GC,
# namespace deletion, Deployment->ReplicaSet->Pod, default ServiceAccounts.
if [[ "$KUBE_WITH_KCM" == 1 ]]; then
  if pid_alive kube-controller-manager; then
    klog "kube-controller-manager already running (pid $(cat "$KUBE_RUN/kube-controller-manager.pid"))"
  else
    port_free "$KCM_PORT" || { klog "port $KCM_PORT busy but not our kube-controller-manager"; exit 1; }
    start kube-controller-manager \
      --kubeconfig="$KUBECONFIG_PATH" \
      --authentication-kubeconfig="$KUBECONFIG_PATH" \
      --authorization-kubeconfig="$KUBECONFIG_PATH" \
      --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
      --cert-dir="$KUBE_RUN/kcm-certs" \
      --controllers=garbagecollector,namespace,deployment,replicaset,serviceaccount \
      --leader-elect=false \
      --profiling=false
    wait_for kube-controller-manager 60 kcm_healthy kube-controller-manager
  fi
fi

# ---------------------------------------------------------------- default namespace
# The apiserver creates it itself shortly after becoming ready; create it only
# if it still is not there.
kc() { "$KUBE_BIN/kubectl" --kubeconfig="$KUBECONFIG_PATH" "$@"; }
for _ in $(seq 1 20); do
  kc get namespace default >/dev/null 2>&1 && break
  sleep 0.5
done
kc get namespace default >/dev/null 2>&1 || kc create namespace default >&2

# The addresses and tools the test suites read (like run/infra.env).
cat >"$KUBE_ENV_FILE" <<EOF
KUBECONFIG=$KUBECONFIG_PATH
KUBECTL=$KUBE_BIN/kubectl
HELM=$KUBE_BIN/helm
KSTATUS_CHECK=$KUBE_BIN/kstatus-check
EOF
klog "ready in $((SECONDS - t0))s: https://127.0.0.1:$APISERVER_PORT"
echo "export KUBECONFIG=$KUBECONFIG_PATH"
