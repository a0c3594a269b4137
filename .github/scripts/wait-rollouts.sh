#!/usr/bin/env bash
# Waits until every workload of the stack has rolled out: the Deployments and the database
# StatefulSet report all replicas updated and ready.
# Usage: wait-rollouts.sh NAMESPACE [TIMEOUT]
set -euo pipefail

namespace=${1:?usage: wait-rollouts.sh NAMESPACE [TIMEOUT]}
timeout=${2:-300s}

for workload in statefulset/postgres deployment/backend deployment/frontend deployment/prometheus deployment/grafana; do
    kubectl -n "$namespace" rollout status "$workload" --timeout="$timeout"
done
kubectl -n "$namespace" get deployments,statefulsets,pods -o wide
