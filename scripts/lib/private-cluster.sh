# shellcheck shell=bash
# Source me, then call `private_cluster DIR PORT_OFFSET`: points scripts/local-cluster.sh at a
# cluster of its own (state in DIR, every port shifted by PORT_OFFSET), so a test or benchmark
# never meets what scripts/deploy.sh put on the shared local cluster (same namespace, same
# NodePorts 30090/30300) and never stops it. The caller starts it with `local-cluster.sh up` and
# stops it with `local-cluster.sh down`; KUBECONFIG is exported for it.
private_cluster() {
    local dir=$1 offset=$2
    export LOCAL_CLUSTER_DIR="$dir"
    export LOCAL_CLUSTER_API_PORT=$((6443 + offset))
    export LOCAL_CLUSTER_ETCD_PORT=$((23790 + offset))
    export LOCAL_CLUSTER_ETCD_PEER_PORT=$((23800 + offset))
    export LOCAL_CLUSTER_CM_PORT=$((10257 + offset))
    export LOCAL_CLUSTER_SCHED_PORT=$((10259 + offset))
    export LOCAL_CLUSTER_KWOK_PORT=$((10247 + offset))
    export KUBECONFIG="$dir/kubeconfig"
}
