#!/usr/bin/env bash
# Proves the local cluster (scripts/local-cluster.sh) behaves like a real one
# for our stack: a restricted 2-replica Deployment ends with 2 Ready pods, a PVC
# and a StatefulSet's 2Gi claim bind, a LoadBalancer Service gets an address, a
# NodePort 30090 Service is accepted (and one outside the range is not), and a
# pod violating "restricted" is rejected in a namespace labelled for it.
#
# Starts a private cluster (scripts/lib/private-cluster.sh) and stops it afterwards.
# Prints `cluster: N passed, M failed`; exits non-zero on any failure, and with
# 1 when the tools are not built (scripts/tools.sh control-plane).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/tools-dir.sh
source "$REPO/scripts/lib/tools-dir.sh"
BIN="$TOOLS_DIR/bin"
CLUSTER="$REPO/scripts/local-cluster.sh"

for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
  if [ ! -x "$BIN/$b" ]; then
    echo "cluster: tools not built ($BIN/$b missing); run scripts/tools.sh control-plane" >&2
    echo "cluster: 0 passed, 1 failed"
    exit 1
  fi
done

# A private cluster (own state and ports), so a stack deployed on the shared one is never touched.
# shellcheck source=scripts/lib/private-cluster.sh
source "$REPO/scripts/lib/private-cluster.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cluster-test.XXXXXX")"
private_cluster "$WORK/cluster" 1000
STARTED=1
t0=$SECONDS
if ! "$CLUSTER" up; then
  echo "cluster: local cluster failed to start" >&2
  echo "cluster: 0 passed, 1 failed"
  "$CLUSTER" down >/dev/null 2>&1
  rm -rf "$WORK"
  exit 1
fi
echo "cluster: started in $((SECONDS - t0))s (API port $LOCAL_CLUSTER_API_PORT)"
KUBECONFIG="$("$CLUSTER" kubeconfig)"
export KUBECONFIG
k() { "$BIN/kubectl" "$@"; }

NS="cluster-test-$$"
PASSED=0
FAILED=0
cleanup() {
  k delete namespace "$NS" --wait=false >/dev/null 2>&1
  [ $STARTED = 1 ] && "$CLUSTER" down >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
# check NAME CMD... : pass when CMD succeeds
check() { local name="$1"; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# eventually SECONDS CMD... : retry CMD until it succeeds
eventually() {
  local limit="$1" i; shift
  for ((i = 0; i < limit * 2; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  "$@"
}

k create namespace "$NS" >/dev/null
k label namespace "$NS" pod-security.kubernetes.io/enforce=restricted \
  pod-security.kubernetes.io/enforce-version=latest >/dev/null
eventually 20 k get serviceaccount default -n "$NS" >/dev/null

RESTRICTED_SC='securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
            seccompProfile: {type: RuntimeDefault}'

# 1. Deployment, 2 replicas, restricted securityContext -> 2 Ready pods
k apply -n "$NS" -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginxinc/nginx-unprivileged:1.27
          ports: [{containerPort: 8080}]
          $RESTRICTED_SC
EOF
ready_pods() {
  [ "$(k get pods -n "$NS" -l app=web -o json | jq '[.items[] | select(.status.phase == "Running")
      | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length')" = 2 ]
}
check "deployment with restricted securityContext has 2 Ready pods" \
  eventually 60 k rollout status deployment/web -n "$NS" --timeout=2s
check "both pods are Running and Ready" eventually 10 ready_pods

# 2. PVC binds; a StatefulSet's 2Gi claim binds
k apply -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          image: postgres:16
          volumeMounts: [{name: pgdata, mountPath: /var/lib/postgresql/data}]
          $RESTRICTED_SC
  volumeClaimTemplates:
    - metadata: {name: pgdata}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 2Gi}}
EOF
pvc_bound() { [ "$(k get pvc "$1" -n "$NS" -o jsonpath='{.status.phase}')" = Bound ]; }
check "PVC of the default StorageClass binds" eventually 30 pvc_bound data
check "StatefulSet's 2Gi claim binds" eventually 30 pvc_bound pgdata-db-0
check "StatefulSet pod becomes Ready" eventually 60 k rollout status statefulset/db -n "$NS" --timeout=2s

# 3. LoadBalancer Service gets an address; 4. NodePort 30090 is accepted
k apply -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
EOF
lb_address() { [ -n "$(k get service web-lb -n "$NS" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')" ]; }
check "LoadBalancer Service gets an address" eventually 30 lb_address
endpoints_ready() {
  [ "$(k get endpointslices -n "$NS" -l kubernetes.io/service-name=web-lb -o json |
      jq '[.items[].endpoints[]? | select(.conditions.ready)] | length')" = 2 ]
}
check "LoadBalancer Service has the 2 Ready pods as endpoints" eventually 30 endpoints_ready

nodeport() {
  k apply -n "$NS" -f - <<EOF
apiVersion: v1
kind: Service
metadata: {name: web-np-$1}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: $1}]
EOF
}
nodeport_ok() { nodeport "$1" >/dev/null; }
check "NodePort 30090 Service is accepted" nodeport_ok 30090
out="$(nodeport 40090 2>&1)"
check "NodePort 40090 (outside the default range) is rejected" \
  grep -q "provided port is not in the valid range" <<<"$out"

# 5. Pod Security admission rejects a pod violating "restricted"
out="$(k apply -n "$NS" -f - 2>&1 <<EOF
apiVersion: v1
kind: Pod
metadata: {name: privileged}
spec:
  containers:
    - name: c
      image: busybox:1.36
      securityContext: {privileged: true}
EOF
)"
check "pod violating restricted is rejected in a namespace labelled for it" \
  grep -q 'violates PodSecurity "restricted:latest"' <<<"$out"
check "the violating pod was not created" bash -c "! '$BIN/kubectl' get pod privileged -n '$NS' >/dev/null 2>&1"

echo "cluster: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
