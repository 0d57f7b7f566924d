#!/usr/bin/env bash
# Build a local Kubernetes control plane (envtest style) from Go modules only:
# kube-apiserver, kube-controller-manager, kubectl, etcd and helm.
# No release downloads (GitHub / dl.k8s.io are unreachable here), so everything
# comes from the Go module proxy and is cached under $SOC_CACHE/bin.
#
# Usage: scripts/kube/build.sh [--force]
set -euo pipefail

# Pinned versions. Bump here; a version stamp next to each binary makes a
# rebuild happen automatically when these change.
K8S_VERSION="${SOC_K8S_VERSION:-v1.34.4}"
ETCD_VERSION="${SOC_ETCD_VERSION:-v3.6.16}"
HELM_VERSION="${SOC_HELM_VERSION:-v3.22.0}"
CLI_UTILS_VERSION="${SOC_CLI_UTILS_VERSION:-v0.37.2}"

SOC_CACHE="${SOC_CACHE:-/var/cache/soc-pipeline}"
BIN="$SOC_CACHE/bin"
SRC="$SOC_CACHE/kube-build" # throwaway build modules live here, not in the repo
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

mkdir -p "$BIN" "$SRC"

# Static binaries: nothing here needs cgo, and static ones survive libc changes.
export CGO_ENABLED=0
# Keep whatever GOFLAGS the machine has (e.g. -buildvcs=false) but make sure
# our throwaway modules may have go.mod/go.sum updated on the fly.
export GOFLAGS="${GOFLAGS:-} -mod=mod"

log() { printf '[kube/build] %s\n' "$*" >&2; }

# up_to_date NAME VERSION: binary exists and was built from VERSION.
up_to_date() {
  [[ $FORCE -eq 0 && -x "$BIN/$1" && -f "$BIN/.$1.version" && "$(cat "$BIN/.$1.version")" == "$2" ]]
}
stamp() { printf '%s\n' "$2" >"$BIN/.$1.version"; }

timed() { # timed LABEL cmd... : run and report wall time
  local label=$1 start=$SECONDS
  shift
  "$@"
  log "$label took $((SECONDS - start))s"
}

build_k8s() {
  local want="$K8S_VERSION"
  if up_to_date kube-apiserver "$want" && up_to_date kubectl "$want" && up_to_date kube-controller-manager "$want"; then
    log "kubernetes $want already built"
    return
  fi
  local dir="$SRC/k8s-$K8S_VERSION"
  mkdir -p "$dir"
  log "preparing build module for k8s.io/kubernetes $K8S_VERSION in $dir"

  # k8s.io/kubernetes requires its staging repos at v0.0.0 and replaces them
  # with ./staging/... paths, which only work inside its own tree. Read its
  # go.mod and map each such module to the published tag v0.<minor>.<patch>.
  local gomod staging_ver
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r .GoMod)
  staging_ver="v0.${K8S_VERSION#v1.}"
  mapfile -t staged < <(
    comm -12 \
      <(sed -nE 's#^\s*(k8s\.io/[A-Za-z0-9._-]+) => \./staging/.*#\1#p' "$gomod" | sort -u) \
      <(sed -nE 's#^\s*(k8s\.io/[A-Za-z0-9._-]+) v0\.0\.0$#\1#p' "$gomod" | sort -u)
  )
  [[ ${#staged[@]} -gt 10 ]] || { log "could not parse staging modules from $gomod"; exit 1; }

  {
    echo "module soc.local/kube-build"
    echo
    # Same language version / GODEBUG defaults as upstream's own go.mod.
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.24"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for m in "${staged[@]}"; do echo "	$m => $m $staging_ver"; done
    echo ")"
  } >"$dir/go.mod"
  # An empty go.sum is enough: -mod=mod fills it during the build.
  [[ -f "$dir/go.sum" ]] || : >"$dir/go.sum"

  # Version stamping like hack/lib/version.sh, so `kubectl version`, helm's
  # kubeVersion checks and discovery see a real version, not v0.0.0-master.
  local major=1 minor commit date ldflags
  minor="${K8S_VERSION#v1.}"
  minor="${minor%%.*}"
  commit=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r '.Origin.Hash // "unknown"')
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitCommit=$commit -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done

  # One `go build` for all three so the shared packages compile once and the
  # toolchain can schedule across both cores.
  log "building kube-apiserver, kube-controller-manager, kubectl $K8S_VERSION (cold: about 5 min on 2 cores)"
  (cd "$dir" && timed "go build kubernetes" go build -trimpath -ldflags="$ldflags" -o "$BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl)
  for b in kube-apiserver kube-controller-manager kubectl; do stamp "$b" "$want"; done
}

build_etcd() {
  if up_to_date etcd "$ETCD_VERSION"; then
    log "etcd $ETCD_VERSION already built"
    return
  fi
  # etcd's server module also has local `replace` directives (../api etc.), so
  # `go install ...@version` refuses it; a tiny requiring module avoids that.
  # Since v3.5 the etcd main package is the root of go.etcd.io/etcd/server/v3.
  local dir="$SRC/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  printf 'module soc.local/etcd-build\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
  [[ -f "$dir/go.sum" ]] || : >"$dir/go.sum"
  log "building etcd $ETCD_VERSION"
  (cd "$dir" && timed "go build etcd" go build -trimpath -ldflags="-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
  stamp etcd "$ETCD_VERSION"
}

build_helm() {
  if up_to_date helm "$HELM_VERSION"; then
    log "helm $HELM_VERSION already built"
    return
  fi
  log "building helm $HELM_VERSION"
  # helm has no replace directives, so plain `go install` works. -mod=mod is
  # not allowed with pkg@version, hence GOFLAGS without it.
  GOFLAGS="${GOFLAGS/-mod=mod/}" GOBIN="$BIN" timed "go install helm" go install -trimpath \
    -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  stamp helm "$HELM_VERSION"
}

# kstatus-check: the status verdict Flux and kpt compute (tests assert on it). Its source is
# in the repo; the build module around it lives in the cache. Rebuilt when the source changes.
build_kstatus() {
  local src="$HERE/kstatus/main.go" want
  want="$CLI_UTILS_VERSION-$(sha256sum "$src" | cut -c1-12)"
  if up_to_date kstatus-check "$want"; then
    log "kstatus-check $want already built"
    return
  fi
  local dir="$SRC/kstatus-$CLI_UTILS_VERSION"
  mkdir -p "$dir"
  cp "$src" "$dir/main.go"
  printf 'module soc.local/kstatus-check\n\ngo 1.24.0\n\nrequire sigs.k8s.io/cli-utils %s\n' "$CLI_UTILS_VERSION" >"$dir/go.mod"
  [[ -f "$dir/go.sum" ]] || : >"$dir/go.sum"
  log "building kstatus-check (cli-utils $CLI_UTILS_VERSION)"
  (cd "$dir" && timed "go build kstatus-check" go build -trimpath -ldflags="-s -w" -o "$BIN/kstatus-check" .)
  stamp kstatus-check "$want"
}

total_start=$SECONDS
build_etcd
build_k8s
build_helm
build_kstatus
log "all done in $((SECONDS - total_start))s; binaries in $BIN"
