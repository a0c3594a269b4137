# shellcheck shell=bash
# NetworkPolicy enforcement on the local cluster's real node: Cilium's agent as a host process,
# its CNI plugin chained after the bridge plugin (offline/cluster/node/cni.conflist). Sourced by
# scripts/local-cluster.sh after offline/cluster/cluster-node.sh, whose render/kc/start it uses.
# Without it the namespace's NetworkPolicies would be declared but not enforced (the bridge
# plugin ignores them). Why Cilium: docs/tools.md ("NetworkPolicy enforcement").

CILIUM_LIB="$TOOLS_DIR/share/cilium"
# The agent's API socket (where cilium-cni looks) and its cgroup2 mount: machine-wide paths, like
# everything of the one real node.
CILIUM_RUN=/var/run/cilium
CILIUM_CGROUP=/run/cilium/cgroupv2
# Node.spec.podCIDR, only for the agent's router address: pods get theirs from the bridge plugin
# in $POD_CIDR, and this range is disjoint from it.
CILIUM_ROUTER_CIDR=10.244.1.0/24

cilium_need_tools() {
  local b
  for b in cilium-agent cilium-cni cilium-dbg; do
    [ -x "$BIN/$b" ] || die "missing $TOOLS_DIR/bin/$b; run: offline/tools.sh node"
  done
  [ -d "$CILIUM_LIB/bpf" ] || die "missing $CILIUM_LIB/bpf (Cilium's datapath sources); run: offline/tools.sh node"
  command -v clang-19 >/dev/null || die "clang-19 is missing (Cilium compiles its datapath with it); run: offline/tools.sh node"
}

# The device the node's address is on: where the agent attaches its host program.
node_device() {
  ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p'
}

# containerd runs CNI plugins from one directory: Debian's plugins plus cilium-cni.
cilium_cni_bin_dir() {
  local dir="$NODE_DIR/cni/bin" p
  mkdir -p "$dir"
  for p in /usr/lib/cni/*; do ln -sf "$p" "$dir/"; done
  ln -sf "$BIN/cilium-cni" "$dir/cilium-cni"
}

start_cilium() {
  if ! mountpoint -q /sys/fs/bpf; then
    mount -t bpf bpf /sys/fs/bpf && touch "$NODE_DIR/mounted-bpffs"
  fi
  mkdir -p "$NODE_DIR/cilium/path"
  # The agent runs `clang`: Debian's clang 19, whatever /usr/bin/clang is.
  ln -sf "$(command -v clang-19)" "$NODE_DIR/cilium/path/clang"
  sign cilium-agent "/CN=system:cilium-agent"
  write_kubeconfig cilium-agent "$NODE_DIR/cilium/kubeconfig"
  # Server-side: the policy CRDs are larger than client-side apply's annotation limit. The API
  # server warns that it does not know the "idn-hostname" format of their schemas: harmless.
  kc apply --server-side --force-conflicts -f "$CILIUM_LIB/crds" 2>&1 >/dev/null | { grep -v idn-hostname || true; } >&2
  kc apply -f "$REPO/offline/cluster/node/cilium-rbac.yaml" >/dev/null
  kc patch node "$NODE_NAME" --type merge \
    -p "{\"spec\":{\"podCIDR\":\"$CILIUM_ROUTER_CIDR\",\"podCIDRs\":[\"$CILIUM_ROUTER_CIDR\"]}}" >/dev/null
  NODE_DEVICE="$(node_device)" render cilium-agent.yaml "$NODE_DIR/cilium/config.yaml"
  start cilium-agent env PATH="$NODE_DIR/cilium/path:$PATH" "$BIN/cilium-agent" \
    --config "$NODE_DIR/cilium/config.yaml"
  # The first start compiles the datapath (about a minute on 2 busy cores).
  wait_for cilium-agent 240 "$BIN/cilium-dbg" status --brief
}

# After the agent is stopped: its pinned eBPF programs (their links detach with the pins), maps,
# iptables chains, cilium_host/cilium_net, cgroup2 mount and run dir.
cilium_cleanup() {
  (
    set +e
    local ipt t rule c
    for ipt in iptables ip6tables; do
      command -v "$ipt" >/dev/null || continue
      for t in filter nat mangle raw; do
        "$ipt" -t "$t" -S 2>/dev/null | grep -E '^-A [A-Z_-]+ .*-j CILIUM_' | grep -v '^-A CILIUM_' |
          sed 's/^-A /-D /' | while read -r rule; do eval "\"$ipt\" -t \"$t\" $rule"; done
        for c in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CILIUM_/ {print $2}'); do
          "$ipt" -t "$t" -F "$c"
        done
        for c in $("$ipt" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^CILIUM_/ {print $2}'); do
          "$ipt" -t "$t" -X "$c"
        done
      done
    done 2>/dev/null
    ip link del cilium_host 2>/dev/null
    mountpoint -q "$CILIUM_CGROUP" && umount "$CILIUM_CGROUP"
    if [ -f "$NODE_DIR/mounted-bpffs" ]; then
      umount /sys/fs/bpf
    else
      rm -rf /sys/fs/bpf/cilium /sys/fs/bpf/tc/globals/cilium_* 2>/dev/null
    fi
    rm -rf "$CILIUM_RUN" /run/cilium
  )
  return 0
}
