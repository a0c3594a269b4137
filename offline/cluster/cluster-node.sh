# shellcheck shell=bash
# The local cluster's real node, sourced by scripts/local-cluster.sh: containerd, the kubelet
# (a normal node, Node-authorized client certificate), kube-proxy (iptables), CoreDNS and the
# bridge CNI (Cilium chained after it: offline/cluster/cluster-cilium.sh), as host processes beside
# the control plane. Config files are reviewed files in
# offline/cluster/node/, rendered into the node's state dir. Measured facts behind the choices:
# ../shared/notes/real-node-facts.md. Uses local-cluster.sh's say/die/start/wait_for/kc/sign.
#
# Only one real node can run per machine: kube-proxy's iptables chains, the pod bridge and the
# kubelet's device-plugin socket are machine-wide. NODE_OWNER records whose node it is.

NODE_DIR="$STATE/node"
NODE_OWNER=/run/travel-app-local-node
NODE_NAME="$(hostname)"
POD_CIDR=10.244.0.0/24
POD_GATEWAY=10.244.0.1
CLUSTER_DNS=10.96.0.10
BRIDGE=travel-cni0
# Locally administered (02:), the gateway's address 10.244.0.1 in its last four bytes.
BRIDGE_MAC=02:00:0a:f4:00:01
PAUSE_IMAGE=localhost/travel-app/pause:3.10
PORT_OFFSET=$((API_PORT - 6443))
KUBELET_PORT=$((10250 + PORT_OFFSET))
KUBELET_HEALTHZ_PORT=$((10248 + PORT_OFFSET))
PROXY_METRICS_PORT=$((10249 + PORT_OFFSET))
PROXY_HEALTHZ_PORT=$((10256 + PORT_OFFSET))
DNS_HEALTH_PORT=$((18080 + PORT_OFFSET))
DNS_READY_PORT=$((18181 + PORT_OFFSET))
# The kubelet changes these host sysctls (and kube-proxy route_localnet); down puts them back.
NODE_SYSCTLS=(net.ipv4.ip_forward net.ipv4.conf.all.route_localnet vm.overcommit_memory kernel.panic kernel.panic_on_oops)

# The node's address: the kubelet may not use loopback, and the API server's node proxy refuses it.
node_ip() {
  ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p'
}

node_need_tools() {
  local missing=() b
  for b in kubelet kube-proxy coredns; do [ -x "$BIN/$b" ] || missing+=("$b"); done
  [ ${#missing[@]} -eq 0 ] || die "missing in $TOOLS_DIR/bin: ${missing[*]}; run: offline/tools.sh node"
  if ! command -v containerd >/dev/null || ! command -v runc >/dev/null || [ ! -x /usr/lib/cni/bridge ] ||
     ! command -v iptables >/dev/null || ! command -v envsubst >/dev/null || ! command -v ip >/dev/null; then
    [ "$(id -u)" = 0 ] || die "needs root for a real node (containerd, iptables, mounts)"
    # tools.sh's node target installs the Debian packages the node runs (and is up to date).
    "$REPO/offline/tools.sh" node || die "the node's Debian packages could not be installed"
  fi
  [ -n "$(node_ip)" ] || die "no IPv4 address with a route on this machine for the node (ip route get 1.1.1.1)"
  [ -s "$TOOLS_DIR/images/images.txt" ] || die "no images built for the node; run: offline/images.sh build"
  cilium_need_tools
}

# Refuses to start a second real node on this machine.
node_claim() {
  local owner=""
  [ -f "$NODE_OWNER" ] && owner="$(cat "$NODE_OWNER")"
  if [ -n "$owner" ] && [ "$owner" != "$STATE" ] && [ -f "$owner/pids/kubelet" ] &&
     kill -0 "$(cat "$owner/pids/kubelet")" 2>/dev/null; then
    die "another local cluster's real node runs on this machine (LOCAL_CLUSTER_DIR=$owner); only one can. Stop it: LOCAL_CLUSTER_DIR=$owner scripts/local-cluster.sh down"
  fi
  echo "$STATE" >"$NODE_OWNER"
}

node_pki() {
  local ip="$1"
  sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  sign kubelet-serving "/CN=$NODE_NAME" "IP:$ip,DNS:$NODE_NAME"
  sign kube-proxy "/CN=system:kube-proxy"
  sign coredns "/CN=system:coredns"
  sign metrics-server "/CN=metrics-server" "DNS:metrics-server.kube-system.svc"
}

# render TEMPLATE OUT: fills only the ${NAME}s the node defines, nothing else of the file.
render() {
  NODE_DIR="$NODE_DIR" CLUSTER_DIR="$STATE" NODE_NAME="$NODE_NAME" NODE_IP="$NODE_IP" POD_CIDR="$POD_CIDR" \
  POD_GATEWAY="$POD_GATEWAY" CLUSTER_DNS="$CLUSTER_DNS" BRIDGE="$BRIDGE" PAUSE_IMAGE="$PAUSE_IMAGE" \
  NODE_DEVICE="${NODE_DEVICE:-}" CILIUM_LIB="$CILIUM_LIB" CA_BUNDLE="$(base64 -w0 "$STATE/pki/ca.crt")" \
  KUBELET_PORT="$KUBELET_PORT" KUBELET_HEALTHZ_PORT="$KUBELET_HEALTHZ_PORT" PROXY_METRICS_PORT="$PROXY_METRICS_PORT" \
  PROXY_HEALTHZ_PORT="$PROXY_HEALTHZ_PORT" DNS_HEALTH_PORT="$DNS_HEALTH_PORT" DNS_READY_PORT="$DNS_READY_PORT" \
    envsubst '${NODE_DIR} ${CLUSTER_DIR} ${NODE_NAME} ${NODE_IP} ${POD_CIDR} ${POD_GATEWAY} ${CLUSTER_DNS} ${BRIDGE}
      ${PAUSE_IMAGE} ${KUBELET_PORT} ${KUBELET_HEALTHZ_PORT} ${PROXY_METRICS_PORT} ${PROXY_HEALTHZ_PORT}
      ${DNS_HEALTH_PORT} ${DNS_READY_PORT} ${NODE_DEVICE} ${CILIUM_LIB} ${CA_BUNDLE}' <"$REPO/offline/cluster/node/$1" >"$2"
}

node_prepare_host() {
  local s
  mkdir -p "$NODE_DIR"/{containerd,cni/net.d,cni/ipam,kubelet/root,kubelet/pki,kube-proxy,coredns}
  for s in "${NODE_SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$NODE_DIR/sysctl.orig"
  sysctl -qw net.ipv4.ip_forward=1
  # The kubelet's device-plugin socket path is hard-coded under /var/lib/kubelet.
  [ -d /var/lib/kubelet ] || { mkdir -p /var/lib/kubelet && touch "$NODE_DIR/created-var-lib-kubelet"; }
  # The bridge exists before the first pod so that CoreDNS can bind its gateway address. Its MAC is
  # set: a Linux bridge otherwise takes its lowest port's, which changes as pods come and go, and
  # every pod's ARP entry for the gateway then points at a gone veth for up to ~30 s (replies to
  # kubelet probes, DNS to CoreDNS and the API server stalled while pods were created or deleted).
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" address "$BRIDGE_MAC" type bridge
  ip addr replace "$POD_GATEWAY/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Traffic the host opens to pods (kubelet probes; NodePort and LoadBalancer traffic after
  # kube-proxy's SNAT) leaves with the node's address, which Cilium counts as the host (always
  # allowed, as on any cluster), not with the bridge's, which it would count as "world" and drop
  # wherever a NetworkPolicy admits only some pods.
  ip route replace "$POD_CIDR" dev "$BRIDGE" proto kernel scope link src "$NODE_IP"
  cilium_cni_bin_dir
}

start_containerd() {
  render containerd.toml "$NODE_DIR/containerd/config.toml"
  render cni.conflist "$NODE_DIR/cni/net.d/10-travel-app.conflist"
  start containerd containerd --config "$NODE_DIR/containerd/config.toml"
  wait_for containerd 30 ctr -a "$NODE_DIR/containerd/containerd.sock" version
  "$REPO/offline/images.sh" import "$NODE_DIR/containerd/containerd.sock" | sed 's/^/  /'
}

start_kubelet() {
  render kubelet.yaml "$NODE_DIR/kubelet/config.yaml"
  write_kubeconfig kubelet "$NODE_DIR/kubelet/kubeconfig"
  cp "$STATE/pki/kubelet-serving.crt" "$STATE/pki/kubelet-serving.key" "$NODE_DIR/kubelet/pki/"
  start kubelet "$BIN/kubelet" --config "$NODE_DIR/kubelet/config.yaml" \
    --kubeconfig "$NODE_DIR/kubelet/kubeconfig" --root-dir "$NODE_DIR/kubelet/root" \
    --cert-dir "$NODE_DIR/kubelet/pki" \
    --tls-cert-file "$NODE_DIR/kubelet/pki/kubelet-serving.crt" \
    --tls-private-key-file "$NODE_DIR/kubelet/pki/kubelet-serving.key" \
    --node-ip "$NODE_IP" --hostname-override "$NODE_NAME" \
    --node-labels "travel-app.dev/node=real" --v=1
  wait_for kubelet 60 kc get node "$NODE_NAME"
  wait_for kubelet 60 kc wait --for=condition=Ready node "$NODE_NAME" --timeout=1s
}

start_kube_proxy() {
  render kube-proxy.yaml "$NODE_DIR/kube-proxy/config.yaml"
  write_kubeconfig kube-proxy "$NODE_DIR/kube-proxy/kubeconfig"
  start kube-proxy "$BIN/kube-proxy" --config "$NODE_DIR/kube-proxy/config.yaml" --v=1
  wait_for kube-proxy 30 curl -sf "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"
}

start_coredns() {
  render Corefile "$NODE_DIR/coredns/Corefile"
  write_kubeconfig coredns "$NODE_DIR/coredns/kubeconfig"
  local manifest="$NODE_DIR/bootstrap.yaml"
  render bootstrap.yaml "$manifest"
  kc apply -f "$manifest" >/dev/null
  start coredns "$BIN/coredns" -conf "$NODE_DIR/coredns/Corefile"
  wait_for coredns 30 curl -sf "http://127.0.0.1:$DNS_READY_PORT/ready"
}

# The resource metrics API for HorizontalPodAutoscalers and `kubectl top` (node/metrics-server.yaml
# says how it reaches the kubelet). Ready once it has scraped the kubelet twice (~20 s).
start_metrics_server() {
  kc -n kube-system create secret tls metrics-server-tls \
    --cert "$STATE/pki/metrics-server.crt" --key "$STATE/pki/metrics-server.key" >/dev/null
  render metrics-server.yaml "$NODE_DIR/metrics-server.yaml"
  kc apply -f "$NODE_DIR/metrics-server.yaml" >/dev/null
  log "waiting for the metrics API (metrics-server's first two scrapes)"
  wait_for "the metrics API (kubectl -n kube-system logs deploy/metrics-server)" 120 \
    kc get --raw /apis/metrics.k8s.io/v1beta1/nodes
}

# --------------------------------------------------------------- teardown
# After the node's processes are stopped: every container, mount, chain, cgroup and sysctl the
# node left behind goes.
node_cleanup() {
  [ -d "$NODE_DIR" ] || return 0
  # Best effort, every step: a step that finds nothing to remove must not stop the others.
  (
    set +e
    node_kill_containers
    # Mounts under the state dir (sandbox netns, kubelet volumes and its root bind, overlay
    # snapshots), deepest first.
    awk -v p="$STATE/" 'index($2, p) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    ip link del "$BRIDGE" 2>/dev/null
    [ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1
    node_delete_chains
    cilium_cleanup
    for c in /sys/fs/cgroup/*/kubepods; do
      [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    [ -f "$NODE_DIR/sysctl.orig" ] && while IFS= read -r s; do sysctl -qw "$s"; done <"$NODE_DIR/sysctl.orig"
    [ -f "$NODE_DIR/created-var-lib-kubelet" ] && rm -rf /var/lib/kubelet
    [ "$(cat "$NODE_OWNER" 2>/dev/null)" = "$STATE" ] && rm -f "$NODE_OWNER"
  )
  return 0
}

# Containers the kubelet left: SIGKILL through containerd, then any shim of this containerd that
# is still there (shims outlive containerd).
node_kill_containers() {
  local sock="$NODE_DIR/containerd/containerd.sock" id pid
  if [ -S "$sock" ] && ctr -a "$sock" version >/dev/null 2>&1; then
    for id in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
  fi
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $sock" 2>/dev/null); do
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  return 0
}

# The kubelet's own iptables chains (kube-proxy --cleanup removes only kube-proxy's) and those of
# the CNI firewall plugin, whose per-pod rules let pod traffic through a FORWARD policy of DROP
# (which Docker, used by offline/images.sh, sets).
node_delete_chains() {
  local ipt
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    "$ipt" -t filter -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null
    "$ipt" -t filter -F CNI-FORWARD 2>/dev/null; "$ipt" -t filter -X CNI-FORWARD 2>/dev/null
    "$ipt" -t filter -F CNI-ADMIN 2>/dev/null; "$ipt" -t filter -X CNI-ADMIN 2>/dev/null
    "$ipt" -t filter -D INPUT -j KUBE-FIREWALL 2>/dev/null
    "$ipt" -t filter -D OUTPUT -j KUBE-FIREWALL 2>/dev/null
    "$ipt" -t filter -F KUBE-FIREWALL 2>/dev/null; "$ipt" -t filter -X KUBE-FIREWALL 2>/dev/null
    local t
    for t in mangle filter nat; do
      "$ipt" -t "$t" -F KUBE-KUBELET-CANARY 2>/dev/null; "$ipt" -t "$t" -X KUBE-KUBELET-CANARY 2>/dev/null
    done
    "$ipt" -t mangle -F KUBE-IPTABLES-HINT 2>/dev/null; "$ipt" -t mangle -X KUBE-IPTABLES-HINT 2>/dev/null
  done
  return 0
}
