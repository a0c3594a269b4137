#!/usr/bin/env bash
# A real, single-machine Kubernetes control plane on 127.0.0.1 for `pulumi
# preview/up` and kubectl tests: etcd, kube-apiserver (Pod Security admission,
# default NodePort range), kube-controller-manager, kube-scheduler, kwok-managed
# fake nodes (kwok's stages mark scheduled pods Running and Ready), a default
# StorageClass whose PVCs get a volume (scripts/lib/cluster-controller.sh), and
# addresses for LoadBalancer Services (same controller).
#
# Usage: scripts/local-cluster.sh up|down|status|kubeconfig
# Needs the binaries from `scripts/tools.sh control-plane`.
# Env: LOCAL_CLUSTER_DIR (state; default $TOOLS_DIR/cluster),
#      LOCAL_CLUSTER_API_PORT (6443), LOCAL_CLUSTER_ETCD_PORT (23790),
#      LOCAL_CLUSTER_NODES (2). See docs/tools.md.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/tools-dir.sh
source "$REPO/scripts/lib/tools-dir.sh"
BIN="$TOOLS_DIR/bin"
STATE="${LOCAL_CLUSTER_DIR:-$TOOLS_DIR/cluster}"
API_PORT="${LOCAL_CLUSTER_API_PORT:-6443}"
ETCD_PORT="${LOCAL_CLUSTER_ETCD_PORT:-23790}"
ETCD_PEER_PORT="${LOCAL_CLUSTER_ETCD_PEER_PORT:-23800}"
CM_PORT="${LOCAL_CLUSTER_CM_PORT:-10257}"
SCHED_PORT="${LOCAL_CLUSTER_SCHED_PORT:-10259}"
KWOK_PORT="${LOCAL_CLUSTER_KWOK_PORT:-10247}"
NODES="${LOCAL_CLUSTER_NODES:-2}"
SERVICE_CIDR=10.96.0.0/16
KUBECONFIG_OUT="$STATE/kubeconfig"
# Components in start order; down stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok controller)

say() { printf 'local-cluster: %s\n' "$*"; }
die() { printf 'local-cluster: %s\n' "$*" >&2; exit 1; }

pid_of() { [ -f "$STATE/pids/$1" ] && cat "$STATE/pids/$1"; }
alive() { local p; p="$(pid_of "$1")" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }

need_tools() {
  local missing=() b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
    [ -x "$BIN/$b" ] || missing+=("$b")
  done
  [ -f "$TOOLS_DIR/share/kwok/stages.yaml" ] || missing+=("share/kwok/stages.yaml")
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing in $TOOLS_DIR: ${missing[*]}; run: scripts/tools.sh control-plane"
  fi
  command -v openssl >/dev/null || die "openssl is required"
  command -v curl >/dev/null || die "curl is required"
  command -v jq >/dev/null || die "jq is required"
}

# start NAME CMD... : background process with its PID recorded, log in $STATE/logs
start() {
  local name="$1"; shift
  nohup "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name"
}

# wait_for WHAT SECONDS CMD... : poll CMD until it succeeds
wait_for() {
  local what="$1" limit="$2" i; shift 2
  for ((i = 0; i < limit * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if [ -f "$STATE/pids/$what" ] && ! alive "$what"; then
      tail -n 5 "$STATE/logs/$what.log" >&2
      die "$what exited (log: $STATE/logs/$what.log)"
    fi
    sleep 0.2
  done
  die "timed out after ${limit}s waiting for $what (logs: $STATE/logs)"
}

# --------------------------------------------------------------- certificates
gen_pki() {
  local pki="$STATE/pki"
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=local-cluster-ca" 2>/dev/null
    # sign NAME SUBJECT [SAN]: key + cert signed by the CA
    sign() {
      local name="$1" subj="$2" san="${3:-}" ext
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
      ext="$(mktemp)"
      {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        if [ -n "$san" ]; then
          echo "extendedKeyUsage=serverAuth,clientAuth"
          echo "subjectAltName=$san"
        else
          echo "extendedKeyUsage=clientAuth"
        fi
      } >"$ext"
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
        -out "$name.crt" -days 3650 -extfile "$ext" 2>/dev/null
      rm -f "$name.csr" "$ext"
    }
    sign apiserver "/CN=kube-apiserver" \
      "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    sign admin "/O=system:masters/CN=local-admin"
    sign controller-manager "/CN=system:kube-controller-manager"
    sign scheduler "/CN=system:kube-scheduler"
    sign kwok "/O=system:masters/CN=kwok"
    # service-account token signing key pair (ES256)
    openssl ecparam -name prime256v1 -genkey -noout -out sa.key 2>/dev/null
    openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

write_kubeconfig() { # NAME FILE
  local name="$1" file="$2" pki="$STATE/pki"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 "$pki/$name.crt")
    client-key-data: $(base64 -w0 "$pki/$name.key")
contexts:
- name: local
  context: {cluster: local, user: $name}
current-context: local
EOF
}

api_ready() {
  curl -sf --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
    "https://127.0.0.1:$API_PORT/readyz" >/dev/null
}

# --------------------------------------------------------------- up
up() {
  need_tools
  if alive kube-apiserver; then
    say "already running"
    status
    return 0
  fi
  local t0=$SECONDS
  # leftovers of a crashed run
  [ -d "$STATE" ] && down >/dev/null 2>&1 || true
  mkdir -p "$STATE/pids" "$STATE/logs" "$STATE/etcd"
  # A failed start stops what it started; its logs are kept for diagnosis.
  trap 'rc=$?; if [ $rc -ne 0 ]; then
          rm -rf "$TOOLS_DIR/cluster-failed-logs"; cp -r "$STATE/logs" "$TOOLS_DIR/cluster-failed-logs" 2>/dev/null
          down >/dev/null 2>&1
          say "up failed; stopped what it started; logs in $TOOLS_DIR/cluster-failed-logs" >&2
        fi' EXIT
  gen_pki
  local pki="$STATE/pki"

  start etcd "$BIN/etcd" --name local --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "" --quota-backend-bytes 1073741824 --log-level warn
  wait_for etcd 20 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  say "etcd ready after $((SECONDS - t0))s"

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction,PodSecurity \
    --endpoint-reconciler-type none \
    --allow-privileged=true --profiling=false --v=1
  wait_for kube-apiserver 60 api_ready
  say "kube-apiserver ready after $((SECONDS - t0))s"

  write_kubeconfig admin "$KUBECONFIG_OUT"
  write_kubeconfig controller-manager "$STATE/controller-manager.kubeconfig"
  write_kubeconfig scheduler "$STATE/scheduler.kubeconfig"
  write_kubeconfig kwok "$STATE/kwok.kubeconfig"

  start kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$CM_PORT" \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --use-service-account-credentials=true --service-cluster-ip-range "$SERVICE_CIDR" \
    --leader-elect=false --profiling=false --v=1
  start kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" \
    --leader-elect=false --profiling=false --v=1
  start kwok "$BIN/kwok" --kubeconfig "$STATE/kwok.kubeconfig" \
    --config "$TOOLS_DIR/share/kwok/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 127.0.0.1 --cidr 10.244.0.0/16 \
    --server-address "127.0.0.1:$KWOK_PORT"

  # Fake nodes, managed by kwok (no taint: workloads schedule as on any node).
  local i nodes=""
  for ((i = 0; i < NODES; i++)); do
    nodes+="---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: \"0\"}
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64, topology.kubernetes.io/zone: local-$i}
status:
  allocatable: {cpu: \"32\", memory: 256Gi, pods: \"110\", ephemeral-storage: 1Ti}
  capacity: {cpu: \"32\", memory: 256Gi, pods: \"110\", ephemeral-storage: 1Ti}
"
  done
  printf '%s' "$nodes" | kc apply -f - >/dev/null
  kc apply -f "$REPO/scripts/lib/cluster-bootstrap.yaml" >/dev/null

  start controller env KUBECTL="$BIN/kubectl" KUBECONFIG="$KUBECONFIG_OUT" \
    STATE="$STATE" bash "$REPO/scripts/lib/cluster-controller.sh"

  wait_for "nodes Ready" 30 kc wait --for=condition=Ready node --all --timeout=1s
  say "nodes Ready after $((SECONDS - t0))s"
  wait_for "default ServiceAccount" 30 kc get serviceaccount default -n default
  say "up in $((SECONDS - t0))s: API https://127.0.0.1:$API_PORT, $NODES kwok nodes"
  say "kubeconfig: $KUBECONFIG_OUT"
}

# --------------------------------------------------------------- down
down() {
  local i name p
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    name="${COMPONENTS[$i]}"
    p="$(pid_of "$name" || true)"
    [ -n "$p" ] || continue
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
      say "stopped $name (pid $p)"
    fi
    rm -f "$STATE/pids/$name"
  done
  rm -rf "$STATE"
  say "down; removed $STATE"
}

# --------------------------------------------------------------- status
status() {
  local name rc=0
  if [ ! -d "$STATE/pids" ]; then say "not running"; return 3; fi
  for name in "${COMPONENTS[@]}"; do
    if alive "$name"; then say "$name running (pid $(pid_of "$name"))"
    else say "$name NOT running"; rc=3; fi
  done
  if alive kube-apiserver && [ -x "$BIN/kubectl" ]; then
    kc get nodes -o wide 2>/dev/null | sed 's/^/  /' || true
  fi
  say "kubeconfig: $KUBECONFIG_OUT"
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kubeconfig) echo "$KUBECONFIG_OUT" ;;
  *) echo "usage: $0 up|down|status|kubeconfig" >&2; exit 2 ;;
esac
