#!/usr/bin/env bash
# A single-machine Kubernetes cluster for `pulumi up` and kubectl tests, every process a host
# process (the shape of kubernetes' hack/local-up-cluster.sh): etcd, kube-apiserver (Pod
# Security admission, default NodePort range), kube-controller-manager, kube-scheduler, and
#   - by default ONE REAL NODE (offline/cluster/cluster-node.sh): containerd with the images of
#     offline/images.sh, the kubelet, kube-proxy (iptables), CoreDNS, the bridge CNI and
#     Cilium enforcing NetworkPolicy (offline/cluster/cluster-cilium.sh), so every pod is a real
#     container;
#   - or, with LOCAL_CLUSTER_NODE=kwok, kwok-simulated nodes: pods are marked Running and
#     Ready but NO CONTAINER RUNS (for tests of the control plane alone, or of many nodes).
# Plus a default StorageClass whose PVCs get a hostPath volume and addresses (127.0.1.N, loopback)
# for LoadBalancer Services (offline/cluster/cluster-controller.sh); on the real node kube-proxy
# routes those addresses to the pods.
#
# Usage: scripts/local-cluster.sh up|down|status|kubeconfig
# Needs `offline/tools.sh control-plane node` (kwok for LOCAL_CLUSTER_NODE=kwok) and, for the
# real node, `offline/images.sh build`; the real node needs root.
# Env: LOCAL_CLUSTER_DIR (state; default $TOOLS_DIR/cluster), LOCAL_CLUSTER_NODE (real|kwok),
#      LOCAL_CLUSTER_PORT_OFFSET (0; added to every port), LOCAL_CLUSTER_API_PORT (6443),
#      LOCAL_CLUSTER_ETCD_PORT (23790),
#      LOCAL_CLUSTER_NODES (kwok nodes, 2). See docs/tools.md.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$REPO/scripts/lib/common.sh"
BIN="$TOOLS_DIR/bin"
STATE="${LOCAL_CLUSTER_DIR:-$TOOLS_DIR/cluster}"
# A private cluster (a test's or a benchmark's) sets its own LOCAL_CLUSTER_DIR and shifts every
# port by LOCAL_CLUSTER_PORT_OFFSET, so it never meets the one scripts/deploy.sh put up.
OFFSET="${LOCAL_CLUSTER_PORT_OFFSET:-0}"
API_PORT="${LOCAL_CLUSTER_API_PORT:-$((6443 + OFFSET))}"
ETCD_PORT="${LOCAL_CLUSTER_ETCD_PORT:-$((23790 + OFFSET))}"
ETCD_PEER_PORT="${LOCAL_CLUSTER_ETCD_PEER_PORT:-$((23800 + OFFSET))}"
CM_PORT="${LOCAL_CLUSTER_CM_PORT:-$((10257 + OFFSET))}"
SCHED_PORT="${LOCAL_CLUSTER_SCHED_PORT:-$((10259 + OFFSET))}"
KWOK_PORT="${LOCAL_CLUSTER_KWOK_PORT:-$((10247 + OFFSET))}"
NODES="${LOCAL_CLUSTER_NODES:-2}"
NODE_MODE="${LOCAL_CLUSTER_NODE:-real}"
SERVICE_CIDR=10.96.0.0/16
KUBECONFIG_OUT="$STATE/kubeconfig"
CONTROL_PLANE=(etcd kube-apiserver kube-controller-manager kube-scheduler)
# Components in start order; down stops them in reverse.
case "$NODE_MODE" in
  real) COMPONENTS=("${CONTROL_PLANE[@]}" containerd kubelet cilium-agent kube-proxy coredns controller) ;;
  kwok) COMPONENTS=("${CONTROL_PLANE[@]}" kwok controller) ;;
  *) echo "local-cluster: LOCAL_CLUSTER_NODE='$NODE_MODE' is not allowed; use real (containers run) or kwok (simulated nodes)" >&2
     exit 2 ;;
esac


pid_of() { [ -f "$STATE/pids/$1" ] && cat "$STATE/pids/$1"; }
alive() { local p; p="$(pid_of "$1")" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }

# shellcheck source=offline/cluster/cluster-node.sh
source "$REPO/offline/cluster/cluster-node.sh"
# shellcheck source=offline/cluster/cluster-cilium.sh
source "$REPO/offline/cluster/cluster-cilium.sh"

need_tools() {
  local missing=() b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [ -x "$BIN/$b" ] || missing+=("$b")
  done
  if [ "$NODE_MODE" = kwok ]; then
    [ -x "$BIN/kwok" ] || missing+=(kwok)
    [ -f "$TOOLS_DIR/share/kwok/stages.yaml" ] || missing+=("share/kwok/stages.yaml")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing in $TOOLS_DIR: ${missing[*]}; run: offline/tools.sh control-plane"
  fi
  command -v openssl >/dev/null || die "openssl is required"
  command -v curl >/dev/null || die "curl is required"
  command -v jq >/dev/null || die "jq is required"
  if [ "$NODE_MODE" = real ]; then node_need_tools; fi
}

# start NAME CMD... : background process with its PID recorded, log in $STATE/logs
start() {
  local name="$1"; shift
  nohup "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name"
}

# Called by wait_for after each failed try: a component whose process exited will not come up.
wait_for_hook() {
  if [ -f "$STATE/pids/$1" ] && ! alive "$1"; then
    tail -n 5 "$STATE/logs/$1.log" >&2
    die "$1 exited (log: $STATE/logs/$1.log)"
  fi
}

# --------------------------------------------------------------- certificates
# sign NAME SUBJECT [SAN [CA]]: an EC key and a certificate signed by the cluster CA (or CA), in $STATE/pki
sign() {
  local name="$1" subj="$2" san="${3:-}" ca="${4:-ca}" ext pki="$STATE/pki"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$pki/$name.key" \
    -out "$pki/$name.csr" -subj "$subj" 2>/dev/null
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
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial \
    -out "$pki/$name.crt" -days 3650 -extfile "$ext" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

gen_pki() { # [NODE_IP]: also an address the API server is reached at
  local pki="$STATE/pki" extra="" ca
  [ -n "${1:-}" ] && extra=",IP:$1"
  mkdir -p "$pki"
  # The cluster CA, and one only for the aggregation layer's front proxy (as kubeadm's): no other
  # client certificate can then pass a user in the headers aggregated API servers trust.
  for ca in ca:local-cluster-ca front-proxy-ca:front-proxy-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$pki/${ca%%:*}.key" \
      -out "$pki/${ca%%:*}.crt" -days 3650 -subj "/CN=${ca#*:}" 2>/dev/null
  done
  sign apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:10.96.0.1$extra,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign admin "/O=system:masters/CN=local-admin"
  sign controller-manager "/CN=system:kube-controller-manager"
  sign scheduler "/CN=system:kube-scheduler"
  sign kwok "/O=system:masters/CN=kwok"
  # how the API server authenticates to the kubelet (exec, logs, the node proxy)
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  # how it proxies to aggregated APIs (metrics-server): the user rides in X-Remote-* headers
  sign front-proxy-client "/CN=front-proxy-client" "" front-proxy-ca
  # service-account token signing key pair (ES256)
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/sa.key" 2>/dev/null
  openssl ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
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
    log "already running"
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
          log "up failed; stopped what it started; logs in $TOOLS_DIR/cluster-failed-logs" >&2
        fi' EXIT
  # Pods reach the API server (Prometheus discovers targets through it) at the node's address,
  # by the `kubernetes` Service; with simulated nodes it listens on loopback only.
  local pki="$STATE/pki" bind=127.0.0.1 advertise=127.0.0.1 reconciler=none
  if [ "$NODE_MODE" = real ]; then
    node_claim
    NODE_IP="$(node_ip)"; bind=0.0.0.0; advertise="$NODE_IP"; reconciler=lease
  fi
  gen_pki "${NODE_IP:-}"
  if [ "$NODE_MODE" = real ]; then node_pki "$NODE_IP"; fi

  start etcd "$BIN/etcd" --name local --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "" --quota-backend-bytes 1073741824 --log-level warn
  wait_for etcd 20 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  log "etcd ready after $((SECONDS - t0))s"

  start kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$bind" --advertise-address "$advertise" --secure-port "$API_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction,PodSecurity \
    --endpoint-reconciler-type "$reconciler" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- --enable-aggregator-routing=true \
    --allow-privileged=true --profiling=false --v=1
  wait_for kube-apiserver 60 api_ready
  log "kube-apiserver ready after $((SECONDS - t0))s"

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
  if [ "$NODE_MODE" = real ]; then
    start_real_node "$t0"
  else
    start_kwok_nodes
  fi
  kc apply -f "$REPO/offline/cluster/cluster-bootstrap.yaml" >/dev/null

  start controller env KUBECTL="$BIN/kubectl" KUBECONFIG="$KUBECONFIG_OUT" \
    STATE="$STATE" bash "$REPO/offline/cluster/cluster-controller.sh"

  wait_for "nodes Ready" 30 kc wait --for=condition=Ready node --all --timeout=1s
  wait_for "default ServiceAccount" 30 kc get serviceaccount default -n default
  if [ "$NODE_MODE" = real ]; then
    log "up in $((SECONDS - t0))s: API https://127.0.0.1:$API_PORT, real node $NODE_NAME ($NODE_IP): containers run"
  else
    log "up in $((SECONDS - t0))s: API https://127.0.0.1:$API_PORT, $NODES kwok nodes (SIMULATED: no container runs)"
  fi
  log "kubeconfig: $KUBECONFIG_OUT"
}

# The real node, every step timed (offline/cluster/cluster-node.sh).
start_real_node() {
  local t0="$1" step steps=(containerd kubelet cilium kube_proxy coredns metrics_server)
  node_prepare_host
  for step in "${steps[@]}"; do
    "start_$step"
    log "${step//_/-} ready after $((SECONDS - t0))s"
  done
}

# Fake nodes, managed by kwok (no taint: workloads schedule as on any node).
start_kwok_nodes() {
  start kwok "$BIN/kwok" --kubeconfig "$STATE/kwok.kubeconfig" \
    --config "$TOOLS_DIR/share/kwok/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 127.0.0.1 --cidr 10.244.0.0/16 \
    --server-address "127.0.0.1:$KWOK_PORT"
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
}

# --------------------------------------------------------------- down
down() {
  local i name p
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    name="${COMPONENTS[$i]}"
    p="$(pid_of "$name" || true)"
    [ -n "$p" ] || continue
    # The kubelet is gone by now: what it ran goes before containerd does.
    [ "$name" = containerd ] && node_kill_containers
    if kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
      log "stopped $name (pid $p)"
    fi
    rm -f "$STATE/pids/$name"
  done
  node_cleanup
  rm -rf "$STATE"
  log "down; removed $STATE"
}

# --------------------------------------------------------------- status
status() {
  local name rc=0
  if [ ! -d "$STATE/pids" ]; then log "not running"; return 3; fi
  for name in "${COMPONENTS[@]}"; do
    if alive "$name"; then log "$name running (pid $(pid_of "$name"))"
    else log "$name NOT running"; rc=3; fi
  done
  if alive kube-apiserver && [ -x "$BIN/kubectl" ]; then
    kc get nodes -o wide 2>/dev/null | sed 's/^/  /' || true
  fi
  log "kubeconfig: $KUBECONFIG_OUT"
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kubeconfig) echo "$KUBECONFIG_OUT" ;;
  *) echo "usage: $0 up|down|status|kubeconfig" >&2; exit 2 ;;
esac
