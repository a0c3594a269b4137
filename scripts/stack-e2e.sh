#!/usr/bin/env bash
# End to end with the real engine: pulumi preview, up, scale, roll, self-heal, bad config and
# destroy of the stack, against the local control plane (or $KUBECONFIG's current context when
# STACK_E2E_USE_CURRENT_CONTEXT=1). Every step asserts and says what it expected.
#
# Needs the tools of scripts/tools.sh (built on demand). Uses a throw-away file:// backend and a
# throw-away stack `e2e` whose config starts as a copy of Pulumi.dev.yaml, so nothing in the
# repository or in your own stacks is touched.
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/stack-e2e.XXXXXX")
passed=0
failed=0
started_cluster=0

log() { printf '[stack-e2e %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
pass() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
# check DESCRIPTION EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi; }

cleanup() {
    if [ "${STACK_E2E_KEEP:-0}" != 1 ]; then
        if [ -n "${PULUMI_BACKEND_URL:-}" ] && [ "${destroyed:-0}" != 1 ] && pulumi stack ls >/dev/null 2>&1; then
            log "cleanup: destroying what the scenario left"
            p destroy --yes --skip-preview >/dev/null 2>&1 || true
        fi
        [ "$started_cluster" = 1 ] && scripts/local-cluster.sh down >/dev/null 2>&1
        rm -rf "$work"
        # `stack init` may leave the stack's salt file beside Pulumi.yaml; the config lives in $work.
        [ "${e2e_file_existed:-1}" = 0 ] && rm -f "$repo/Pulumi.e2e.yaml"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "tools (scripts/tools.sh: built once, then cached)"
scripts/tools.sh pulumi pulumi-java kubernetes-provider random-provider control-plane kwok || {
    echo "stack-e2e: the tools could not be built (see above); 0 passed, 1 failed"; exit 1; }

export PULUMI_BACKEND_URL="file://$work/state"
PULUMI_CONFIG_PASSPHRASE="e2e-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export PULUMI_CONFIG_PASSPHRASE
mkdir -p "$work/state"
# shellcheck source=scripts/pulumi-env.sh
source scripts/pulumi-env.sh
if [ "${STACK_E2E_USE_CURRENT_CONTEXT:-0}" != 1 ]; then
    # A private cluster (own state and ports): a stack deployed on the shared one is never touched.
    # shellcheck source=scripts/lib/private-cluster.sh
    source scripts/lib/private-cluster.sh
    private_cluster "$work/cluster" 2000
    log "private local control plane (scripts/local-cluster.sh up, API port $LOCAL_CLUSTER_API_PORT)"
    started_cluster=1
    scripts/local-cluster.sh up || { echo "stack-e2e: the local cluster did not start; 0 passed, 1 failed"; exit 1; }
fi
kubectl version >/dev/null || { echo "stack-e2e: no API server reachable; 0 passed, 1 failed"; exit 1; }

cfg="$work/Pulumi.e2e.yaml"
e2e_file_existed=0; [ -e Pulumi.e2e.yaml ] && e2e_file_existed=1
cp Pulumi.dev.yaml "$cfg"
p() { pulumi "$@" --stack e2e --config-file "$cfg" --non-interactive; }
# `pulumi stack output` takes no --config-file.
po() { pulumi stack output "$@" --stack e2e --non-interactive; }
k() { kubectl -n "$ns" "$@"; }
ns=travel-app

# ready DEPLOYMENT|STATEFULSET NAME -> number of ready replicas
ready() { k get "$1" "$2" -o jsonpath='{.status.readyReplicas}' 2>/dev/null | sed 's/^$/0/'; }
# wait_for DESCRIPTION SECONDS COMMAND... : retries until the command succeeds
wait_for() {
    local what="$1" limit="$2"; shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then fail "$what (waited ${limit}s)"; return 1; fi
        sleep 1
    done
    pass "$what"
}
# plan_counts -> "creates updates replaces deletes" of a `pulumi preview --json` on stdin
plan_counts() {
    python3 -c '
import json, sys
steps = json.load(sys.stdin).get("steps", [])
def count(*ops):
    return len({s["urn"] for s in steps if s["op"] in ops})
print(count("create"), count("update"), count("replace", "create-replacement", "delete-replaced"), count("delete"))'
}

log "the program: target/travel-app.jar (mvn package), which Pulumi.yaml runs"
mvn -q -B -ntp package -DskipTests || { echo "stack-e2e: mvn package failed; 0 passed, 1 failed"; exit 1; }

log "1. stack init (file:// backend in $work)"
pulumi stack init e2e --non-interactive >/dev/null
pass "stack e2e created from a copy of Pulumi.dev.yaml"

log "2. pulumi preview"
t0=$SECONDS
if p preview --json >"$work/preview.json" 2>"$work/preview.err"; then
    pass "pulumi preview succeeds ($((SECONDS - t0))s)"
else
    fail "pulumi preview failed: $(tail -5 "$work/preview.err")"
fi
read -r creates updates replaces deletes < <(plan_counts <"$work/preview.json")
[ "$creates" -ge 40 ] && pass "preview plans $creates creates (every resource of the architecture)" || fail "preview plans only $creates creates"
check "preview plans no update, replace or delete" "0 0 0" "$updates $replaces $deletes"
python3 - "$work/preview.json" <<'PY' && pass "preview reports no error or warning diagnostics" || fail "preview diagnostics above"
import json, sys
# Ambient plugins are used on purpose (scripts/pulumi-env.sh): their notice is expected.
diags = [d for d in json.load(open(sys.argv[1])).get("diagnostics", [])
         if d.get("severity") in ("error", "warning") and "from $PATH" not in d.get("message", "")]
for d in diags:
    print("    diagnostic:", d.get("severity"), d.get("message", "").strip()[:300])
sys.exit(1 if diags else 0)
PY

log "3. pulumi up"
t0=$SECONDS
if p up --yes --skip-preview >"$work/up.log" 2>&1; then pass "pulumi up succeeds ($((SECONDS - t0))s)"; else fail "pulumi up failed: $(tail -20 "$work/up.log")"; fi
check "namespace enforces Pod Security restricted" restricted "$(kubectl get ns "$ns" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')"
check "frontend Deployment 2/2 available" 2 "$(k get deploy frontend -o jsonpath='{.status.availableReplicas}')"
check "backend Deployment 2/2 available" 2 "$(k get deploy backend -o jsonpath='{.status.availableReplicas}')"
check "postgres StatefulSet 1/1 ready" 1 "$(ready statefulset postgres)"
check "pod postgres-0 exists" postgres-0 "$(k get pod postgres-0 -o jsonpath='{.metadata.name}')"
check "PVC data-postgres-0 is Bound" Bound "$(k get pvc data-postgres-0 -o jsonpath='{.status.phase}')"
check "PVC data-postgres-0 holds 2Gi" 2Gi "$(k get pvc data-postgres-0 -o jsonpath='{.status.capacity.storage}')"
check "the migration Job succeeded" 1 "$(k get jobs -l app.kubernetes.io/name=backend-migrations -o jsonpath='{.items[0].status.succeeded}')"
check "frontend Service LoadBalancer 3000 -> http" "LoadBalancer 3000 http" "$(k get svc frontend -o jsonpath='{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort}')"
check "backend Service ClusterIP 8000" "ClusterIP 8000" "$(k get svc backend -o jsonpath='{.spec.type} {.spec.ports[0].port}')"
check "postgres Service headless 5432" "None 5432" "$(k get svc postgres -o jsonpath='{.spec.clusterIP} {.spec.ports[0].port}')"
check "prometheus Service NodePort 30090" "NodePort 30090" "$(k get svc prometheus -o jsonpath='{.spec.type} {.spec.ports[0].nodePort}')"
check "grafana Service NodePort 30300" "NodePort 30300" "$(k get svc grafana -o jsonpath='{.spec.type} {.spec.ports[0].nodePort}')"
check "app-config keys" "ALLOWED_HOSTS DB_HOST DB_NAME DB_PORT DB_USER DEBUG" \
    "$(k get configmap app-config -o json | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["data"])))')"
check "app-secrets keys present and non-empty" "db_password django_secret_key" \
    "$(k get secret app-secrets -o json | python3 -c 'import json,sys,base64; d=json.load(sys.stdin)["data"]; print(" ".join(sorted(k for k,v in d.items() if base64.b64decode(v))))')"
check "the pods of all 5 long-running workloads admitted under restricted" 7 "$(k get pods --field-selector=status.phase!=Failed -o name | grep -vc migrate)"
check "NetworkPolicies present" 6 "$(k get networkpolicy -o name | wc -l | tr -d ' ')"
url=$(po frontendUrl 2>/dev/null)
case "$url" in http://*:3000) pass "frontendUrl is a URL: $url" ;; *) fail "frontendUrl is not a URL: $url" ;; esac
for output in namespace frontendServiceType backendHost databaseHost prometheusUrl grafanaUrl grafanaAdminUser; do
    [ -n "$(po "$output" 2>/dev/null)" ] && pass "output $output present" || fail "output $output missing"
done

log "4. secrets stay secret"
pulumi stack export --stack e2e >"$work/state-export.json"
po --json >"$work/outputs.json"
for key in db_password django_secret_key; do
    value=$(k get secret app-secrets -o jsonpath="{.data.$key}" | base64 -d)
    if grep -qF -- "$value" "$work/state-export.json" "$work/outputs.json" "$work/up.log"; then
        fail "$key appears in clear in the state, the outputs or the up log"
    else
        pass "$key is not in clear in the state, the outputs or the up log"
    fi
done
grafana_password=$(k get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d)
grep -qF -- "$grafana_password" "$work/outputs.json" && fail "Grafana password in clear in outputs" || pass "Grafana password not in clear in outputs"
check "--show-secrets reveals the Grafana password" "$grafana_password" "$(po grafanaAdminPassword --show-secrets)"

log "5. idempotency"
if p preview --expect-no-changes >"$work/noop.log" 2>&1; then pass "a second preview plans no change"; else fail "a second preview plans changes: $(grep -E '^\s+[~+-]' "$work/noop.log" | head -5)"; fi
if p up --yes --skip-preview --expect-no-changes >"$work/up2.log" 2>&1; then pass "a second up changes nothing"; else fail "a second up changed something: $(tail -8 "$work/up2.log")"; fi

log "6. scaling through stack config"
p config set backendReplicas 5
p preview --json >"$work/scale.json" 2>/dev/null
check "scaling to 5 plans exactly one update, no replacement" "0 1 0 0" "$(plan_counts <"$work/scale.json")"
p up --yes --skip-preview >"$work/scale.log" 2>&1 || fail "pulumi up (scale to 5) failed: $(tail -5 "$work/scale.log")"
wait_for "5 backend pods Ready" 120 test "$(ready deployment backend)" = 5
p config set backendReplicas 2
p up --yes --skip-preview >/dev/null 2>&1 || fail "pulumi up (back to 2) failed"
wait_for "back to 2 backend pods" 120 test "$(ready deployment backend)" = 2

log "7. rolling update of the backend image"
first_job=$(k get jobs -l app.kubernetes.io/name=backend-migrations -o jsonpath='{.items[0].metadata.name}')
old_rs=$(k get rs -l app.kubernetes.io/name=backend -o jsonpath='{range .items[?(@.status.replicas>0)]}{.metadata.name}{end}')
: >"$work/ready-during-rollout"
( while [ ! -f "$work/rollout-done" ]; do echo "$(ready deployment backend)" >>"$work/ready-during-rollout"; sleep 0.3; done ) &
watcher=$!
p config set backendImage travel-app/backend:0.1.1
p up --yes --skip-preview >"$work/roll.log" 2>&1 || fail "pulumi up (new image) failed: $(tail -5 "$work/roll.log")"
k rollout status deployment/backend --timeout=120s >/dev/null || fail "rollout did not finish"
touch "$work/rollout-done"; wait "$watcher"
min_ready=$(sort -n "$work/ready-during-rollout" | head -1)
[ "${min_ready:-0}" -ge 2 ] && pass "Ready backend pods never dropped below 2 during the rollout ($(wc -l <"$work/ready-during-rollout") samples)" \
    || fail "Ready backend pods dropped to ${min_ready:-?} during the rollout"
new_rs=$(k get pods -l app.kubernetes.io/name=backend -o jsonpath='{.items[*].metadata.ownerReferences[0].name}' | tr ' ' '\n' | sort -u)
[ -n "$new_rs" ] && [ "$new_rs" != "$old_rs" ] && [ "$(echo "$new_rs" | wc -l)" = 1 ] \
    && pass "a new ReplicaSet ($new_rs) owns every backend pod" || fail "backend pods owned by '$new_rs' (old: $old_rs)"
new_job=$(k get jobs -l app.kubernetes.io/name=backend-migrations -o jsonpath='{.items[?(@.status.succeeded==1)].metadata.name}')
[ -n "$new_job" ] && [ "$new_job" != "$first_job" ] && pass "the new release ran its own migration Job ($new_job)" \
    || fail "no new migration Job for the new image (jobs: $new_job, first: $first_job)"

log "8. self-healing"
victim=$(k get pods -l app.kubernetes.io/name=backend -o jsonpath='{.items[0].metadata.name}')
k delete pod "$victim" --wait=false >/dev/null
wait_for "a replacement backend pod turns Ready after deleting $victim" 120 \
    sh -c "test \"\$(kubectl -n $ns get deploy backend -o jsonpath='{.status.readyReplicas}')\" = 2 && ! kubectl -n $ns get pod $victim >/dev/null 2>&1"
volume=$(k get pvc data-postgres-0 -o jsonpath='{.spec.volumeName}')
uid=$(k get pod postgres-0 -o jsonpath='{.metadata.uid}')
k delete pod postgres-0 --wait=false >/dev/null
wait_for "postgres-0 comes back Ready" 120 sh -c "test \"\$(kubectl -n $ns get pod postgres-0 -o jsonpath='{.metadata.uid}')\" != $uid && test \"\$(kubectl -n $ns get sts postgres -o jsonpath='{.status.readyReplicas}')\" = 1"
check "postgres-0 is bound to the same volume" "$volume" "$(k get pvc data-postgres-0 -o jsonpath='{.spec.volumeName}')"

log "9. bad config fails preview with the validation message and creates nothing"
before=$(pulumi stack export --stack e2e | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["deployment"].get("resources", [])))')
while IFS='|' read -r key value message; do
    p config set "$key" "$value"
    if p preview >"$work/bad.log" 2>&1; then
        fail "$key=$value: preview succeeded"
    elif grep -qF -- "$message" "$work/bad.log"; then
        pass "$key=$value: preview fails with '$message'"
    else
        fail "$key=$value: preview failed without the message '$message': $(grep -i error "$work/bad.log" | head -3)"
    fi
    p config rm "$key"
done <<'CASES'
backendReplicas|0|backendReplicas = "0": must be an integer from 1 to 100
frontendReplicas|two|frontendReplicas = "two": must be an integer from 1 to 100
prometheusNodePort|80|prometheusNodePort = "80": must be an integer from 30000 to 32767
grafanaNodePort|30090|grafanaNodePort = "30090": must differ from prometheusNodePort
databaseStorageSize|2GB|databaseStorageSize = "2GB": must be a whole number with Mi, Gi or Ti
frontendServiceType|Ingress|frontendServiceType = "Ingress": must be LoadBalancer, NodePort or ClusterIP
backendImage|travel app/backend:1|backendImage = "travel app/backend:1": must be an image reference
namespace|Travel_App|namespace = "Travel_App": must be a DNS label
CASES
p config set backendImage travel-app/backend:0.1.1
check "no resource was created or lost by the failed previews" "$before" \
    "$(pulumi stack export --stack e2e | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["deployment"].get("resources", [])))')"

log "10. pulumi destroy"
t0=$SECONDS
if p destroy --yes --skip-preview >"$work/destroy.log" 2>&1; then destroyed=1; pass "pulumi destroy succeeds ($((SECONDS - t0))s)"; else fail "destroy failed: $(tail -5 "$work/destroy.log")"; fi
wait_for "the namespace is gone" 120 sh -c "! kubectl get ns $ns >/dev/null 2>&1"
check "the Prometheus ClusterRole is gone" "" "$(kubectl get clusterrole travel-app-prometheus-$ns -o name 2>/dev/null)"
check "the state holds no resource" 0 "$(pulumi stack export --stack e2e | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["deployment"].get("resources", []) or []))')"

echo "stack-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
