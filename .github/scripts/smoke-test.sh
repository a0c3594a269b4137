#!/usr/bin/env bash
# Smoke tests of a deployed stack, through `kubectl port-forward` (no NodePort or load
# balancer needed): the frontend page, /api through the frontend's Nginx, Prometheus
# readiness and Grafana health. Prints one line per check, then "smoke: N passed, N failed".
# Usage: smoke-test.sh NAMESPACE
# Env: SMOKE_ATTEMPTS (default 20) and SMOKE_DELAY (seconds, default 3) per check.
set -uo pipefail

namespace=${1:?usage: smoke-test.sh NAMESPACE}
attempts=${SMOKE_ATTEMPTS:-20}
delay=${SMOKE_DELAY:-3}
workdir=$(mktemp -d)
declare -a forwards=()
passed=0
failed=0

cleanup() {
    local pid
    for pid in "${forwards[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$workdir"
}
trap cleanup EXIT

# forward SERVICE LOCAL_PORT REMOTE_PORT: starts a port-forward and waits until it listens.
forward() {
    local service=$1 local_port=$2 remote_port=$3 attempt
    kubectl -n "$namespace" port-forward "service/$service" "$local_port:$remote_port" \
        >"$workdir/forward-$service.log" 2>&1 &
    forwards+=("$!")
    for attempt in $(seq 1 150); do
        if grep -q "Forwarding from" "$workdir/forward-$service.log"; then
            return 0
        fi
        sleep 0.2
    done
    echo "port-forward to service/$service did not start within $((attempt / 5))s:"
    cat "$workdir/forward-$service.log"
    return 1
}

# check NAME URL EXPECTED: GET URL (retrying while the pods warm up), expect a 2xx answer whose
# body contains EXPECTED.
check() {
    local name=$1 url=$2 expected=$3 attempt body=""
    for attempt in $(seq 1 "$attempts"); do
        if body=$(curl -fsS --max-time 10 "$url" 2>&1) && grep -qF -- "$expected" <<<"$body"; then
            echo "PASS $name"
            passed=$((passed + 1))
            return 0
        fi
        sleep "$delay"
    done
    echo "FAIL $name: GET $url did not return 200 with '$expected' after $attempt attempts; last answer:"
    head -c 500 <<<"$body"
    echo
    failed=$((failed + 1))
    return 0
}

forward frontend 18080 3000 || failed=$((failed + 1))
forward prometheus 19090 9090 || failed=$((failed + 1))
forward grafana 13000 3000 || failed=$((failed + 1))

check "frontend serves the React page" http://127.0.0.1:18080/ "<title>Travel App</title>"
check "/api/destinations/ answers through Nginx" http://127.0.0.1:18080/api/destinations/ '"results"'
check "Prometheus is ready" http://127.0.0.1:19090/-/ready "Ready"
check "Grafana is healthy" http://127.0.0.1:13000/api/health '"database"'

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
