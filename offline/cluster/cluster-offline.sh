#!/usr/bin/env bash
# Runs a command with no network but loopback: in a new network namespace
# (`unshare -n`, needs root or user namespaces) whose only interface is lo.
# Anything the command starts there (the local cluster, pulumi, providers,
# Maven) can reach 127.0.0.1 of that namespace and nothing else, which proves
# it needs no download. A cluster started outside is not reachable inside:
# start it inside, e.g.
#   offline/cluster/cluster-offline.sh env LOCAL_CLUSTER_NODE=kwok scripts/stack-bench.sh
#   offline/cluster/cluster-offline.sh bash -c 'scripts/local-cluster.sh up && source scripts/pulumi-env.sh && pulumi preview ...; scripts/local-cluster.sh down'
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
command -v unshare >/dev/null || { echo "cluster-offline: unshare (util-linux) is required" >&2; exit 1; }
if [ "${_CLUSTER_OFFLINE_INSIDE:-}" != 1 ]; then
  _CLUSTER_OFFLINE_INSIDE=1 exec unshare -n -- "$0" "$@"
fi
ip link set lo up 2>/dev/null || { echo "cluster-offline: cannot bring lo up (iproute2 needed)" >&2; exit 1; }
unset _CLUSTER_OFFLINE_INSIDE
exec "$@"
