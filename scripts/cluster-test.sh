#!/usr/bin/env bash
# Proves the local cluster (scripts/local-cluster.sh) behaves like a real one for our stack, on
# its REAL NODE: a restricted 2-replica Deployment runs 2 real containers (containerd:// IDs) that
# serve through a ClusterIP Service by cluster DNS name, a NodePort on 127.0.0.1 and a
# LoadBalancer address; a 2Gi claim binds and a non-root container's data outlives its pod; a
# container killed on the host is restarted; a NodePort outside the range and a pod violating
# "restricted" are rejected.
#
# Starts a private cluster (scripts/lib/private-cluster.sh) and stops it afterwards. Only one real
# node runs per machine: stop the one of scripts/deploy.sh first.
# Prints `cluster: N passed, M failed`; exits non-zero on any failure, and with 1 when the tools
# or images are not built (offline/tools.sh control-plane node, offline/images.sh build).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/tools-dir.sh
source "$REPO/scripts/lib/tools-dir.sh"
BIN="$TOOLS_DIR/bin"
CLUSTER="$REPO/scripts/local-cluster.sh"

for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy coredns; do
  if [ ! -x "$BIN/$b" ]; then
    echo "cluster: tools not built ($BIN/$b missing); run offline/tools.sh control-plane node" >&2
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

# An image built here (offline/images.sh) that has python: the pods' web server and client.
IMAGE=localhost/travel-app/backend:0.1.0
RESTRICTED_SC='securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
            seccompProfile: {type: RuntimeDefault}'

# 1. Deployment, 2 replicas, restricted securityContext -> 2 real, Ready containers
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
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: $IMAGE
          imagePullPolicy: Never
          command: [python, -m, http.server, "8080", --directory, /app]
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /manage.py, port: 8080}, periodSeconds: 2}
          $RESTRICTED_SC
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
EOF
check "deployment with restricted securityContext has 2 Ready pods" \
  eventually 90 k rollout status deployment/web -n "$NS" --timeout=2s
real_containers() {
  [ "$(k get pods -n "$NS" -l app=web -o json | jq '[.items[].status.containerStatuses[]
      | select((.containerID | startswith("containerd://")) and .ready)] | length')" = 2 ]
}
check "both pods are real containers (containerd:// IDs) and Ready" real_containers
client="$(k get pods -n "$NS" -l app=web -o jsonpath='{.items[0].metadata.name}')"
via_dns() {
  k exec -n "$NS" "$client" -- python -c \
    "import urllib.request as u; u.urlopen('http://web.$NS.svc.cluster.local/manage.py', timeout=5)"
}
check "a pod reaches the ClusterIP Service by its cluster DNS name" eventually 30 via_dns

# 2. A NodePort on loopback, and a LoadBalancer address that routes
k apply -n "$NS" -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 8088, targetPort: 8080, nodePort: 30999}]
EOF
lb_ip() { k get service web-lb -n "$NS" -o jsonpath='{.status.loadBalancer.ingress[0].ip}'; }
has_lb_ip() { [ -n "$(lb_ip)" ]; }
lb_routes() { curl -sf --max-time 3 "http://$(lb_ip):8088/manage.py" -o /dev/null; }
check "LoadBalancer Service gets an address" eventually 30 has_lb_ip
check "the NodePort answers on 127.0.0.1:30999" \
  eventually 30 curl -sf --max-time 3 http://127.0.0.1:30999/manage.py -o /dev/null
check "the LoadBalancer address ($(lb_ip):8088) routes to the pods" eventually 30 lb_routes
out="$(k apply -n "$NS" -f - 2>&1 <<EOF
apiVersion: v1
kind: Service
metadata: {name: web-np-out}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 40090}]
EOF
)"
check "NodePort 40090 (outside the default range) is rejected" \
  grep -q "provided port is not in the valid range" <<<"$out"

# 3. A 2Gi claim binds; a non-root container writes it and the data outlives the pod
k apply -n "$NS" -f - >/dev/null <<EOF
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
      terminationGracePeriodSeconds: 2
      containers:
        - name: db
          image: $IMAGE
          imagePullPolicy: Never
          command: [sh, -c, 'date +%s%N >>/data/starts && exec sleep 100000']
          volumeMounts: [{name: data, mountPath: /data}]
          $RESTRICTED_SC
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 2Gi}}
EOF
pvc_bound() { [ "$(k get pvc "$1" -n "$NS" -o jsonpath='{.status.phase}')" = Bound ]; }
check "StatefulSet's 2Gi claim binds" eventually 30 pvc_bound data-db-0
check "StatefulSet pod becomes Ready" eventually 60 k rollout status statefulset/db -n "$NS" --timeout=2s
first_uid="$(k get pod db-0 -n "$NS" -o jsonpath='{.metadata.uid}')"
k delete pod db-0 -n "$NS" --wait=false >/dev/null
second_start_seen() {
  [ "$(k get pod db-0 -n "$NS" -o jsonpath='{.metadata.uid}')" != "$first_uid" ] &&
    [ "$(k exec -n "$NS" db-0 -- sh -c 'wc -l </data/starts' 2>/dev/null)" = 2 ]
}
check "the replacement pod finds the first pod's data on the volume (2 starts recorded)" \
  eventually 60 second_start_seen

# 4. A container killed on the host is restarted by the kubelet
cid="$(k get pod "$client" -n "$NS" -o jsonpath='{.status.containerStatuses[0].containerID}')"
pid="$(ctr -a "$LOCAL_CLUSTER_DIR/node/containerd/containerd.sock" -n k8s.io tasks ls |
  awk -v id="${cid#containerd://}" '$1 == id {print $2}')"
[ -n "$pid" ] && kill -KILL "$pid"
restarted() {
  [ "$(k get pod "$client" -n "$NS" -o jsonpath='{.status.containerStatuses[0].restartCount}')" -ge 1 ] &&
    [ "$(k get pod "$client" -n "$NS" -o jsonpath='{.status.containerStatuses[0].ready}')" = true ]
}
check "a container killed on the host (SIGKILL, pid ${pid:-none}) is restarted and Ready again" eventually 60 restarted

# 5. Pod Security admission rejects a pod violating "restricted"
out="$(k apply -n "$NS" -f - 2>&1 <<EOF
apiVersion: v1
kind: Pod
metadata: {name: privileged}
spec:
  containers:
    - name: c
      image: $IMAGE
      securityContext: {privileged: true}
EOF
)"
check "pod violating restricted is rejected in a namespace labelled for it" \
  grep -q 'violates PodSecurity "restricted:latest"' <<<"$out"
check "the violating pod was not created" bash -c "! '$BIN/kubectl' get pod privileged -n '$NS' >/dev/null 2>&1"

echo "cluster: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
