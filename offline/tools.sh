#!/usr/bin/env bash
# Builds the real Pulumi CLI, Java language host, providers and a Kubernetes
# control plane from source with the installed Go (none of them can be
# downloaded as binaries here). Each tool family is a small Go module under
# offline/tools/ that pins its versions (go.mod + go.sum; patches/*.patch, if any, are
# applied to a copy of the upstream module); binaries are built and checked in
# $TOOLS_DIR/stage/<target>, then moved into $TOOLS_DIR/bin. Idempotent: a
# target whose stamp (pins, sources, go.sum, patches, ldflags, Go version) is
# unchanged and whose binaries exist is skipped.
#
# Usage: offline/tools.sh [--keep-going] [TARGET...]
#   TARGET: all (default) | pulumi | pulumi-java | kubernetes-provider |
#           random-provider | control-plane | kwok | node | cilium
#   --keep-going  continue past a failed target, summarise, exit 1 if any failed
# Env: TOOLS_DIR (default ~/.cache/travel-app/tools), TOOLS_GO_P (go build -p, default 2),
#      TOOLS_FORCE=1 rebuild even when up to date.
# See docs/tools.md.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$REPO/scripts/lib/common.sh"
BIN="$TOOLS_DIR/bin"
# Where a target's binaries are built and checked before they replace those in $BIN (a reader of
# $BIN, such as another clone's running pulumi, never meets a half-written or unchecked binary).
STAGE_ROOT="$TOOLS_DIR/stage"
STAMPS="$TOOLS_DIR/stamps"
LOGS="$TOOLS_DIR/logs"
GO_P="${TOOLS_GO_P:-2}"

# Use the installed Go only; never fetch another toolchain.
export GOTOOLCHAIN=local
# The checksum database we reach has no entries for several pulumi module
# versions (it answers 404); go.sum committed under offline/tools/ pins their hashes.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi"
# Builds must use exactly the committed go.mod/go.sum.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"

ALL_TARGETS=(pulumi pulumi-java kubernetes-provider random-provider control-plane node)

# ---------------------------------------------------------------- pins
PULUMI_PKG=github.com/pulumi/pulumi/pkg/v3
PULUMI_JAVA=github.com/pulumi/pulumi-java
K8S_PROVIDER=github.com/pulumi/pulumi-kubernetes/provider/v4
# Version labels of the providers (semver the CLI shows). Neither upstream
# release module is served by our proxy; see docs/tools.md for what each is.
# pulumi-kubernetes commit f47bc2d6f199 (2026-01-15), i.e. just before v4.25.0:
K8S_PROVIDER_VERSION=4.25.0-alpha.1768448096+f47bc2d6f199
# pulumi-terraform-bridge v3.136.0 over terraform-provider-random e1092b0cfc07;
# same precedence as 4.11.2, the random version our generated Java SDK requests.
RANDOM_PROVIDER_VERSION=4.11.2+tfrandom.e1092b0cfc07
# Kubernetes itself (v1.35.4) is pinned by offline/tools/kubernetes/go.mod, CoreDNS by offline/tools/coredns/go.mod,
# Cilium (the node's NetworkPolicy enforcement) by offline/tools/cilium/go.mod.


# mod_version DIR MODULE -> selected version of MODULE in the module at DIR
mod_version() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

# stamp_of DIR EXTRA... -> hash of the module's pins and sources plus EXTRA
stamp_of() {
  local dir="$1"; shift
  {
    printf '%s\n' "$@"
    go version
    (cd "$dir" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name '*.patch' \) \
      -not -path './.*' | LC_ALL=C sort | xargs sha256sum)
  } | sha256sum | cut -d' ' -f1
}

# up_to_date TARGET STAMP BIN...
up_to_date() {
  local target="$1" stamp="$2"; shift 2
  [ "${TOOLS_FORCE:-0}" = 1 ] && return 1
  [ -f "$STAMPS/$target" ] && [ "$(cat "$STAMPS/$target")" = "$stamp" ] || return 1
  local b; for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done
  return 0
}

# run_logged TARGET CMD... : run in the target's log, fail loudly
run_logged() {
  local target="$1"; shift
  printf '+ %s\n' "$*" >>"$LOGS/$target.log"
  "$@" >>"$LOGS/$target.log" 2>&1
}

# gobuild TARGET DIR LDFLAGS [-modfile=F] PKG... : go build into $STAGE from the module at DIR
gobuild() {
  local target="$1" dir="$2" ldflags="$3"; shift 3
  (cd "$dir" && run_logged "$target" go build -p "$GO_P" -ldflags "$ldflags" -o "$STAGE/" "$@")
}

# install_staged : move the checked binaries of $STAGE into $BIN; a rename within $TOOLS_DIR,
# so each binary is replaced at once (a process running the old one keeps it).
install_staged() {
  local f
  for f in "$STAGE"/*; do
    [ -e "$f" ] || continue
    mv -f "$f" "$BIN/" || return 1
  done
}

# patched_modfile TARGET DIR MODULE VERSION : copies MODULE@VERSION out of the module cache to
# $TOOLS_DIR/src/, applies DIR/patches/*.patch to the copy (in name order; any failure fails the
# build) and prints the path of a go.mod that is DIR's own plus a replace of MODULE by the copy,
# for `go build -modfile`. DIR's committed go.mod and go.sum stay as they are.
patched_modfile() {
  local target="$1" dir="$2" module="$3" version="$4" orig copy modfile p
  orig="$(cd "$dir" && go mod download -json "$module@$version" | jq -r .Dir)" || return 1
  copy="$TOOLS_DIR/src/${module##*/}@$version-patched"
  modfile="$TOOLS_DIR/src/${module##*/}.mod"
  rm -rf "$copy" && mkdir -p "$copy" && cp -R "$orig/." "$copy/" && chmod -R u+w "$copy" || return 1
  for p in "$dir"/patches/*.patch; do
    [ -f "$p" ] || continue
    run_logged "$target" patch -d "$copy" -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch -i "$p" || return 1
  done
  cp "$dir/go.mod" "$modfile" && cp "$dir/go.sum" "${modfile%.mod}.sum" &&
    (cd "$dir" && go mod edit -replace "$module=$copy" "$modfile") && printf '%s\n' "$modfile"
}

# check_runs TARGET CMD... : the built binary must run and print a version
check_runs() {
  local target="$1"; shift
  local out
  # The whole output first: `| head` would close the pipe under a long usage text (SIGPIPE).
  if ! out="$(PULUMI_SKIP_UPDATE_CHECK=true "$@" 2>&1)"; then
    printf '%s\n' "$out" | head -n 20 >>"$LOGS/$target.log"
    return 1
  fi
  out="$(printf '%s\n' "$out" | head -n 3)"
  printf '+ %s\n%s\n' "$*" "$out" >>"$LOGS/$target.log"
  log "  $(basename "$1"): $(printf '%s\n' "$out" | grep -vi deprecated | head -n 1)"
}

# check_serves TARGET BIN : a provider plugin must start and print its gRPC port
check_serves() {
  local target="$1" bin="$2" out pid port="" i
  out="$(mktemp)"
  "$bin" >"$out" 2>>"$LOGS/$target.log" &
  pid=$!
  for ((i = 0; i < 100; i++)); do
    port="$(grep -Eo '^[0-9]+' "$out" | head -n 1)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -f "$out"
  [ -n "$port" ] || { echo "$bin did not start serving" >>"$LOGS/$target.log"; return 1; }
  log "  $(basename "$bin"): serves the plugin gRPC API (port $port)"
}

# ---------------------------------------------------------------- targets
build_pulumi() {
  local dir="$REPO/offline/tools/pulumi" v
  v="$(mod_version "$dir" "$PULUMI_PKG")" || return 1
  local ld="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
  STAMP="$(stamp_of "$dir" "$ld")"; BINS=(pulumi)
  up_to_date pulumi "$STAMP" "${BINS[@]}" && return 100
  log "building pulumi CLI $v ..."
  gobuild pulumi "$dir" "$ld" "$PULUMI_PKG/cmd/pulumi" &&
    check_runs pulumi "$STAGE/pulumi" version
}

# The host carries our patches (offline/tools/pulumi-java/patches, docs/tools.md): no newer pulumi-java
# module is served here.
build_pulumi_java() {
  local dir="$REPO/offline/tools/pulumi-java" v modfile
  v="$(mod_version "$dir" "$PULUMI_JAVA")" || return 1
  local ld="-X $PULUMI_JAVA/pkg/version.Version=$v"
  STAMP="$(stamp_of "$dir" "$ld")"; BINS=(pulumi-language-java pulumi-java-gen)
  up_to_date pulumi-java "$STAMP" "${BINS[@]}" && return 100
  log "building pulumi-language-java and pulumi-java-gen $v with $(cd "$dir/patches" && echo *.patch) ..."
  modfile="$(patched_modfile pulumi-java "$dir" "$PULUMI_JAVA" "$v")" || return 1
  gobuild pulumi-java "$dir" "$ld" "-modfile=$modfile" \
    "$PULUMI_JAVA/pkg/cmd/pulumi-language-java" "$PULUMI_JAVA/pkg/cmd/pulumi-java-gen" &&
    check_runs pulumi-java "$STAGE/pulumi-java-gen" version &&
    check_runs pulumi-java "$STAGE/pulumi-language-java" -help
}

# genembed helper (offline/tools/genembed): minified, versioned schema-embed.json
ensure_genembed() {
  local target="$1" dir="$REPO/offline/tools/genembed"
  mkdir -p "$TOOLS_DIR/libexec"
  (cd "$dir" && run_logged "$target" go build -p "$GO_P" -o "$TOOLS_DIR/libexec/genembed" .)
}

build_kubernetes_provider() {
  local dir="$REPO/offline/tools/kubernetes-provider" v src
  v="$(mod_version "$dir" "$K8S_PROVIDER")" || return 1
  local ld="-X $K8S_PROVIDER/pkg/version.Version=$K8S_PROVIDER_VERSION"
  STAMP="$(stamp_of "$dir" "$ld" "$(stamp_of "$REPO/offline/tools/genembed")")"
  BINS=(pulumi-resource-kubernetes)
  up_to_date kubernetes-provider "$STAMP" "${BINS[@]}" && return 100
  log "building pulumi-resource-kubernetes $K8S_PROVIDER_VERSION ($K8S_PROVIDER@$v) ..."
  src="$(cd "$dir" && go mod download -json "$K8S_PROVIDER@$v" | jq -r .Dir)/cmd/pulumi-resource-kubernetes"
  [ -f "$src/schema.json" ] || { echo "no schema.json in $src" >>"$LOGS/kubernetes-provider.log"; return 1; }
  ensure_genembed kubernetes-provider &&
    run_logged kubernetes-provider "$TOOLS_DIR/libexec/genembed" -version "$K8S_PROVIDER_VERSION" \
      -schema "$src/schema.json" -tfmapping "$src/terraform-mapping.json" \
      -out "$dir/cmd/pulumi-resource-kubernetes" &&
    gobuild kubernetes-provider "$dir" "$ld" ./cmd/pulumi-resource-kubernetes &&
    check_serves kubernetes-provider "$STAGE/pulumi-resource-kubernetes"
}

build_random_provider() {
  local dir="$REPO/offline/tools/random-provider"
  local gen="$dir/randomprovider"
  local ld="-X travel-app/tools/random-provider/randomprovider.Version=$RANDOM_PROVIDER_VERSION"
  STAMP="$(stamp_of "$dir" "$ld" "$(stamp_of "$REPO/offline/tools/genembed")")"
  BINS=(pulumi-resource-random)
  up_to_date random-provider "$STAMP" "${BINS[@]}" && return 100
  log "building pulumi-resource-random $RANDOM_PROVIDER_VERSION (bridged terraform-provider-random) ..."
  # go:embed needs the files to exist before tfgen itself can be compiled.
  [ -f "$gen/bridge-metadata.json" ] || echo '{}' >"$gen/bridge-metadata.json"
  [ -f "$gen/schema-embed.json" ] || echo '{}' >"$gen/schema-embed.json"
  mkdir -p "$TOOLS_DIR/libexec"
  (cd "$dir" && run_logged random-provider go build -p "$GO_P" -ldflags "$ld" \
      -o "$TOOLS_DIR/libexec/" ./cmd/pulumi-tfgen-random) &&
    (cd "$gen" && run_logged random-provider "$TOOLS_DIR/libexec/pulumi-tfgen-random" schema --out .) &&
    ensure_genembed random-provider &&
    run_logged random-provider "$TOOLS_DIR/libexec/genembed" -version "$RANDOM_PROVIDER_VERSION" \
      -schema "$gen/schema.json" -out "$gen" &&
    gobuild random-provider "$dir" "$ld" ./cmd/pulumi-resource-random &&
    check_runs random-provider "$STAGE/pulumi-resource-random" --version &&
    check_serves random-provider "$STAGE/pulumi-resource-random"
}

build_control_plane() {
  local dir="$REPO/offline/tools/kubernetes" v ld
  v="$(mod_version "$dir" k8s.io/kubernetes)" || return 1
  ld="$(k8s_ldflags "$dir")" || return 1
  STAMP="$(stamp_of "$dir" "$ld")"
  BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd)
  up_to_date control-plane "$STAMP" "${BINS[@]}" && return 100
  log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $v and etcd $(mod_version "$dir" go.etcd.io/etcd/server/v3) ..."
  gobuild control-plane "$dir" "$ld" k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
      k8s.io/kubernetes/cmd/kubectl ./cmd/etcd &&
    check_runs control-plane "$STAGE/kube-apiserver" --version &&
    check_runs control-plane "$STAGE/kube-controller-manager" --version &&
    check_runs control-plane "$STAGE/kube-scheduler" --version &&
    check_runs control-plane "$STAGE/kubectl" version --client &&
    check_runs control-plane "$STAGE/etcd" --version
}

# k8s_ldflags DIR: the version stamps `kubectl version` and the node report
k8s_ldflags() {
  local v minor
  v="$(mod_version "$1" k8s.io/kubernetes)" || return 1
  minor="${v#v1.}"; minor="${minor%%.*}"
  printf '%s' "-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1" \
    " -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    " -X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=1" \
    " -X k8s.io/client-go/pkg/version.gitMinor=$minor"
}

# The real node of the local cluster: kubelet and kube-proxy from the same
# Kubernetes pin as the control plane (one GOCACHE, so this is mostly linking
# after control-plane), and CoreDNS for cluster DNS.
build_node() {
  local k8s="$REPO/offline/tools/kubernetes" dns="$REPO/offline/tools/coredns" ld v_dns
  ld="$(k8s_ldflags "$k8s")" || return 1
  v_dns="$(mod_version "$dns" github.com/coredns/coredns)" || return 1
  local ld_dns="-X github.com/coredns/coredns/coremain.GitCommit=$v_dns"
  STAMP="$(stamp_of "$k8s" "$ld" "$ld_dns" "$(stamp_of "$dns")")"
  BINS=(kubelet kube-proxy coredns)
  up_to_date node "$STAMP" "${BINS[@]}" && return 100
  log "building kubelet, kube-proxy $(mod_version "$k8s" k8s.io/kubernetes) and coredns $v_dns ..."
  gobuild node "$k8s" "$ld" k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy &&
    gobuild node "$dns" "$ld_dns" github.com/coredns/coredns &&
    check_runs node "$STAGE/kubelet" --version &&
    check_runs node "$STAGE/kube-proxy" --version &&
    check_runs node "$STAGE/coredns" -version
}

# NetworkPolicy enforcement on the real node (offline/tools/cilium): the agent, its CNI plugin and
# cilium-dbg, plus what the agent reads at run time from share/cilium: the datapath's C sources,
# which it compiles with clang on the node, and the CRDs it watches.
build_cilium() {
  local dir="$REPO/offline/tools/cilium" v src share="$TOOLS_DIR/share/cilium"
  v="$(mod_version "$dir" github.com/cilium/cilium)" || return 1
  local ld="-X github.com/cilium/cilium/pkg/version.ciliumVersion=${v#v}"
  STAMP="$(stamp_of "$dir" "$ld")"; BINS=(cilium-agent cilium-cni cilium-dbg)
  up_to_date cilium "$STAMP" "${BINS[@]}" && [ -d "$share/bpf" ] && [ -d "$share/crds" ] && return 100
  log "building cilium-agent, cilium-cni and cilium-dbg $v ..."
  src="$(cd "$dir" && go mod download -json github.com/cilium/cilium | jq -r .Dir)" || return 1
  # Static binaries: the agent runs on the host, the CNI plugin is exec'd by containerd.
  (cd "$dir" && CGO_ENABLED=0 run_logged cilium go build -p "$GO_P" -ldflags "$ld" \
      -o "$BIN/cilium-agent" github.com/cilium/cilium/daemon) &&
    (cd "$dir" && CGO_ENABLED=0 run_logged cilium go build -p "$GO_P" -ldflags "$ld" -o "$BIN/" \
      github.com/cilium/cilium/plugins/cilium-cni github.com/cilium/cilium/cilium-dbg) &&
    rm -rf "$share" && mkdir -p "$share/crds" &&
    cp -r "$src/bpf" "$share/bpf" &&
    cp "$src"/pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml "$src"/pkg/k8s/apis/cilium.io/client/crds/v2alpha1/*.yaml "$share/crds/" &&
    chmod -R u+w "$share" &&
    check_runs cilium "$BIN/cilium-agent" --version &&
    check_runs cilium "$BIN/cilium-dbg" version
}

build_kwok() {
  local dir="$REPO/offline/tools/kwok" v
  v="$(mod_version "$dir" sigs.k8s.io/kwok)" || return 1
  STAMP="$(stamp_of "$dir" "stages-v1")"; BINS=(kwok)
  up_to_date kwok "$STAMP" "${BINS[@]}" && [ -f "$TOOLS_DIR/share/kwok/stages.yaml" ] && return 100
  log "building kwok $v ..."
  gobuild kwok "$dir" "" sigs.k8s.io/kwok/cmd/kwok &&
    check_runs kwok "$STAGE/kwok" --version &&
    kwok_stages "$dir"
}

# kwok run on its own (not via kwokctl) has no default stages: collect the
# module's own "fast" node/pod stages plus the node heartbeat into one config.
kwok_stages() {
  local src out="$TOOLS_DIR/share/kwok/stages.yaml" f
  src="$(cd "$1" && go mod download -json sigs.k8s.io/kwok | jq -r .Dir)/kustomize/stage" || return 1
  mkdir -p "$(dirname "$out")"
  {
    echo "# Generated by offline/tools.sh from sigs.k8s.io/kwok's kustomize/stage."
    for f in "$src"/node/fast/node-initialize.yaml "$src"/node/heartbeat/node-heartbeat.yaml \
             "$src"/pod/fast/pod-ready.yaml "$src"/pod/fast/pod-complete.yaml "$src"/pod/fast/pod-delete.yaml; do
      [ -f "$f" ] || { echo "missing kwok stage $f" >&2; return 1; }
      echo "---"; cat "$f"
    done
  } >"$out"
}

# ---------------------------------------------------------------- main
KEEP_GOING=0
TARGETS=()
for arg in "$@"; do
  case "$arg" in
    --keep-going|-k) KEEP_GOING=1 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    all) TARGETS+=("${ALL_TARGETS[@]}") ;;
    pulumi|pulumi-java|kubernetes-provider|random-provider|control-plane|kwok|node|cilium) TARGETS+=("$arg") ;;
    *) echo "tools: unknown target '$arg' (all|pulumi|pulumi-java|kubernetes-provider|random-provider|control-plane|kwok|node|cilium)" >&2; exit 2 ;;
  esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")
# control-plane includes kwok (it fakes the nodes of the local cluster), node includes cilium
# (the real node's NetworkPolicy enforcement).
EXPANDED=()
for t in "${TARGETS[@]}"; do
  EXPANDED+=("$t"); [ "$t" = control-plane ] && EXPANDED+=(kwok); [ "$t" = node ] && EXPANDED+=(cilium)
done

command -v go >/dev/null || { echo "tools: go is not installed" >&2; exit 1; }
# jq reads module metadata here, patch applies offline/tools/*/patches; openssl, curl and jq are what
# scripts/local-cluster.sh runs with.
missing_pkgs=()
for c in jq openssl curl patch; do command -v "$c" >/dev/null || missing_pkgs+=("$c"); done
# What the real node runs beside the binaries built here (Debian's containerd 1.6, the last line
# that Kubernetes 1.35 supports, runc, the CNI plugins; iptables for kube-proxy; envsubst renders
# the node's config files; clang 19 compiles Cilium's datapath on the node, as the agent's
# image would): the command each package provides, then the package.
case " ${EXPANDED[*]} " in
  *" node "*|*" cilium "*)
    for pair in containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins \
        iptables:iptables conntrack:conntrack envsubst:gettext-base ip:iproute2 clang-19:clang-19; do
      command -v "${pair%%:*}" >/dev/null || [ -x "${pair%%:*}" ] || missing_pkgs+=("${pair#*:}")
    done ;;
esac
if [ ${#missing_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tools: needs ${missing_pkgs[*]}; install them (apt-get install ${missing_pkgs[*]})" >&2; exit 1
  fi
  log "installing ${missing_pkgs[*]} (Debian)"
  { apt-get update -qq -o DPkg::Lock::Timeout=600 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing_pkgs[@]}"; } >/dev/null ||
    { echo "tools: apt-get install ${missing_pkgs[*]} failed" >&2; exit 1; }
fi
mkdir -p "$BIN" "$STAMPS" "$LOGS"

# One build at a time per tools dir: a second run waits, then finds it up to date.
exec 9>"$TOOLS_DIR/.lock"
if ! flock -n 9; then
  log "another offline/tools.sh run holds $TOOLS_DIR/.lock; waiting for it ..."
  flock 9
fi

declare -A seen_targets=()
FAILED=()
TOTAL_START=$SECONDS
for t in "${EXPANDED[@]}"; do
  [ -n "${seen_targets[$t]:-}" ] && continue
  seen_targets[$t]=1
  : >"$LOGS/$t.log"
  STAMP=""; BINS=()
  STAGE="$STAGE_ROOT/$t"
  rm -rf "$STAGE" && mkdir -p "$STAGE"
  start=$SECONDS
  "build_${t//-/_}"
  rc=$?
  [ $rc -eq 0 ] && { install_staged || rc=1; }
  rm -rf "$STAGE"
  if [ $rc -eq 100 ]; then
    log "$t up to date"
  elif [ $rc -eq 0 ]; then
    echo "$STAMP" >"$STAMPS/$t"
    log "$t built in $((SECONDS - start))s"
  else
    rm -f "$STAMPS/$t"
    log "$t FAILED after $((SECONDS - start))s; last lines of $LOGS/$t.log:" >&2
    tail -n 25 "$LOGS/$t.log" | sed 's/^/    /' >&2
    FAILED+=("$t")
    [ $KEEP_GOING = 1 ] || { log "stopping (use --keep-going to continue past failures)" >&2; exit 1; }
  fi
done
log "done in $((SECONDS - TOTAL_START))s; binaries in $BIN ($(du -sh "$BIN" 2>/dev/null | cut -f1))"
if [ ${#FAILED[@]} -gt 0 ]; then
  log "FAILED: ${FAILED[*]}" >&2
  exit 1
fi
