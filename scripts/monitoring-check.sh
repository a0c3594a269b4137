#!/usr/bin/env bash
# Monitoring that provably works (docs/monitoring.md, "How it is tested"):
#  1. writes the monitoring files with WriteMonitoringFiles, the same code the stack deploys;
#  2. promtool: check rules / check config on those files, and `test rules` unit tests that fire and
#     resolve every alert (tests/monitoring/alerts.test.yml) and evaluate every cAdvisor panel query
#     (tests/monitoring/dashboards-cadvisor.test.yml, kept in step with the dashboards);
#  3. live: PostgreSQL + the backend (gunicorn, multiprocess metrics, like scripts/app-e2e.sh) + a real
#     Prometheus whose only app job is the stack's kubernetes-pods job (its relabel rules applied to a
#     static target carrying the backend pod's meta labels); drives traffic, then runs every other
#     panel query of every dashboard against Prometheus' HTTP API and fails on a panel with no series;
#     checks every alert rule evaluates, that PostgreSQLUnreachable and the 5xx ratio react when
#     PostgreSQL is stopped, and BackendDown when the backend is.
# Prometheus and promtool 2.42 are Debian's. Debian builds them without Kubernetes service discovery,
# so `promtool check config` of the stack's prometheus.yml as is needs the promtool of the deployed
# image's version: built from the Go module proxy (cached) when `go` is there, skipped (and said so)
# otherwise. Everything runs on 127.0.0.1; processes are stopped even on failure.
# Ends with "monitoring: N passed, M failed". MONITORING_KEEP=1 keeps the temp dir.
set -Eeuo pipefail
# shellcheck source=scripts/lib/app-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/app-common.sh"
# shellcheck source=scripts/lib/check-tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check-tally.sh"

check() { # check NAME CMD... : runs CMD (output to the log), PASS if it exits 0
    local name="$1"; shift
    if "$@" >"$WORK/check.out" 2>&1; then pass "$name"; else fail "$name"; sed 's/^/    /' "$WORK/check.out"; fi
}
PY=/usr/bin/python3   # Debian's, with python3-yaml
HELPER="$APP_ROOT/tests/monitoring/dashboards.py"
helper() { # helper NAME ARGS...: run a dashboards.py check, show and count its lines
    local out="$WORK/helper-$1.out"
    "$PY" "$HELPER" "$@" >"$out" 2>&1 || echo "FAIL dashboards.py $1 exited with $?" >>"$out"
    sed "s/^/[$(date +%H:%M:%S)] /" "$out"
    count_result_lines "$out"
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/monitoring-check.XXXXXX")"
chmod 755 "$WORK"
GUNICORN_PID=""
PROMETHEUS_PID=""
PROBER_PID=""
cleanup() {
    local rc=$?
    app_log "cleanup: stopping Prometheus, gunicorn and PostgreSQL; removing $WORK"
    app_kill_pid "$PROBER_PID"
    app_kill_pid "$PROMETHEUS_PID"
    app_kill_pid "$GUNICORN_PID"
    app_pg_stop
    if [[ $rc -ne 0 || $FAILED -ne 0 ]]; then
        for f in gunicorn.log migrate.log prometheus.log postgres.log; do
            [[ -s "$WORK/$f" ]] && { echo "----- last lines of $f"; tail -n 30 "$WORK/$f"; }
        done
    fi
    if [[ -n "${MONITORING_KEEP:-}" ]]; then app_log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
START=$SECONDS

# --- install (idempotent) -------------------------------------------------------------------
app_log "monitoring: installing what is missing"
app_install_system curl:curl unshare:util-linux setpriv:util-linux promtool:prometheus \
    /usr/lib/python3/dist-packages/yaml/__init__.py:python3-yaml javac:openjdk-17-jdk-headless mvn:maven
app_install_python
PROMTOOL=/usr/bin/promtool
PROMETHEUS=/usr/bin/prometheus
app_log "monitoring: $("$PROMETHEUS" --version 2>&1 | head -n 1)"

# --- the files the stack deploys -------------------------------------------------------------
FILES="$WORK/files"
app_log "monitoring: writing the stack's monitoring files (WriteMonitoringFiles, stack defaults)"
(cd "$APP_ROOT" && mvn -q -ntp compile exec:java -DmainClass=com.travelapp.infra.monitoring.WriteMonitoringFiles \
    -DmainArgs="$FILES") >"$WORK/write.log" 2>&1 || { cat "$WORK/write.log"; exit 1; }
PROM_DIR="$FILES/prometheus"
NAMESPACE="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["namespace"])' "$FILES/backend-pod.json")"

# --- promtool (Debian's) --------------------------------------------------------------------------
check "promtool check rules alerts.yml (the rules the stack deploys)" "$PROMTOOL" check rules "$PROM_DIR/alerts.yml"

# Debian's promtool knows no kubernetes_sd_configs: check everything else of prometheus.yml (global,
# rule_files with the rules, every job's relabelling, TLS and authorization) with only the service
# discovery blocks swapped for an empty static_configs.
"$PY" - "$PROM_DIR/prometheus.yml" "$PROM_DIR/prometheus-without-k8s-sd.yml" <<'PY'
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
for job in config["scrape_configs"]:
    if job.pop("kubernetes_sd_configs", None) is not None:
        job["static_configs"] = [{"targets": []}]
yaml.safe_dump(config, open(sys.argv[2], "w"), sort_keys=False)
PY
SA="$WORK/serviceaccount"   # stand-ins for the pod's service-account files (token, CA)
mkdir -p "$SA"; echo token >"$SA/token"; : >"$SA/ca.crt"
sed -i "s#/var/run/secrets/kubernetes.io/serviceaccount#$SA#g" "$PROM_DIR/prometheus-without-k8s-sd.yml"
check "promtool $("$PROMTOOL" --version 2>&1 | awk 'NR==1{print $3}') check config prometheus.yml minus Kubernetes SD (Debian's build has none)" \
    "$PROMTOOL" check config "$PROM_DIR/prometheus-without-k8s-sd.yml"

cp "$APP_ROOT/tests/monitoring/alerts.test.yml" "$APP_ROOT/tests/monitoring/dashboards-cadvisor.test.yml" "$PROM_DIR/"
check "promtool test rules alerts.test.yml (every alert fires and resolves)" \
    bash -c "cd '$PROM_DIR' && '$PROMTOOL' test rules alerts.test.yml"
check "promtool test rules dashboards-cadvisor.test.yml (cAdvisor panel queries on synthetic series)" \
    bash -c "cd '$PROM_DIR' && '$PROMTOOL' test rules dashboards-cadvisor.test.yml"
helper cadvisor-coverage "$FILES" "$APP_ROOT/tests/monitoring/dashboards-cadvisor.test.yml" "$NAMESPACE"

# --- promtool of the deployed image's version: the whole prometheus.yml, Kubernetes SD included -------
# prom/prometheus:vX.Y.Z is Go module github.com/prometheus/prometheus v0.(X*100+Y).Z.
IMAGE="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["prometheusImage"])' "$FILES/settings.json")"
IMAGE_TAG="$(sed -n 's/^.*:v\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' <<<"$IMAGE")"
[[ -n "$IMAGE_TAG" ]] || app_log "monitoring: NOTE prometheusImage $IMAGE has no vX.Y.Z tag: no promtool of its version"
PROMTOOL_MOD="$APP_ROOT/tests/monitoring/promtool"   # go.mod/go.sum pinning promtool's module and deps
build_promtool() { # build_promtool X.Y.Z DEST: from the pinned module, which must be the image's version
    local v="$1" dest="$2" major minor patch mod pinned
    IFS=. read -r major minor patch <<<"$v"
    mod="v0.$((major * 100 + minor)).$patch"
    pinned="$(awk '$1 == "require" && $2 == "github.com/prometheus/prometheus" {print $3}' "$PROMTOOL_MOD/go.mod")"
    if [[ "$pinned" != "$mod" ]]; then
        echo "tests/monitoring/promtool/go.mod pins prometheus $pinned, but prometheusImage is v$v (module $mod):"
        echo "  cd tests/monitoring/promtool && go get github.com/prometheus/prometheus@$mod && go mod tidy"
        return 1
    fi
    (cd "$PROMTOOL_MOD" && nice -n 10 go build -trimpath \
        -ldflags "-s -w -X github.com/prometheus/common/version.Version=$v" \
        -o "$dest.tmp" github.com/prometheus/prometheus/cmd/promtool) && mv "$dest.tmp" "$dest"
}
PROMTOOL_IMAGE=""
if [[ -n "$IMAGE_TAG" ]]; then
    PROMTOOL_IMAGE="${XDG_CACHE_HOME:-$HOME/.cache}/travel-app/promtool-v$IMAGE_TAG"
    if [[ ! -x "$PROMTOOL_IMAGE" && -z "${MONITORING_NO_PROMTOOL_BUILD:-}" ]] && command -v go >/dev/null; then
        app_log "monitoring: building promtool v$IMAGE_TAG from the Go module proxy (once, cached in ${PROMTOOL_IMAGE%/*})"
        mkdir -p "${PROMTOOL_IMAGE%/*}"
        build_promtool "$IMAGE_TAG" "$PROMTOOL_IMAGE" >"$WORK/promtool-build.log" 2>&1 \
            || { tail -n 20 "$WORK/promtool-build.log"; fail "build promtool v$IMAGE_TAG"; }
    fi
fi
if [[ -x "$PROMTOOL_IMAGE" ]]; then
    # The kubernetes SD jobs read the pod's service-account files: point them at stand-ins; nothing else changes.
    sed "s#/var/run/secrets/kubernetes.io/serviceaccount#$SA#g" "$PROM_DIR/prometheus.yml" >"$PROM_DIR/prometheus-sa-local.yml"
    check "promtool v$IMAGE_TAG check config --syntax-only prometheus.yml (exactly as deployed)" \
        "$PROMTOOL_IMAGE" check config --syntax-only "$PROM_DIR/prometheus.yml"
    check "promtool v$IMAGE_TAG check config prometheus.yml (service-account paths -> stand-in files) with its rule_files" \
        "$PROMTOOL_IMAGE" check config "$PROM_DIR/prometheus-sa-local.yml"
    check "promtool v$IMAGE_TAG check rules alerts.yml" "$PROMTOOL_IMAGE" check rules "$PROM_DIR/alerts.yml"
    check "promtool v$IMAGE_TAG test rules alerts.test.yml" bash -c "cd '$PROM_DIR' && '$PROMTOOL_IMAGE' test rules alerts.test.yml"
    check "promtool v$IMAGE_TAG test rules dashboards-cadvisor.test.yml" \
        bash -c "cd '$PROM_DIR' && '$PROMTOOL_IMAGE' test rules dashboards-cadvisor.test.yml"
else
    app_log "monitoring: NOTE no promtool v${IMAGE_TAG:-?} (no go, or MONITORING_NO_PROMTOOL_BUILD set): prometheus.yml's kubernetes_sd_configs blocks were not checked by promtool"
fi

# --- the real app: PostgreSQL, migrate, backend (as in scripts/app-e2e.sh) -----------------------------
app_pg_start "$WORK"
SECRET_KEY="mon-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export SECRET_KEY
export DEBUG=false
export ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_SETTINGS_MODULE=travelapp.settings PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
export PATH="$APP_VENV/bin:$PATH"
RUNTMP="$WORK/runtmp"
app_log "monitoring: python manage.py migrate --noinput"
(cd "$APP_BACKEND" && PROMETHEUS_MULTIPROC_DIR="$RUNTMP/migrate-prom" TMPDIR="$RUNTMP" \
    app_run_like_container "$RUNTMP" python manage.py migrate --noinput) >"$WORK/migrate.log" 2>&1 \
    || { cat "$WORK/migrate.log"; exit 1; }
BACKEND_PORT="$(app_free_port)"
app_log "monitoring: starting the backend (docker-entrypoint.sh -> gunicorn, 2 workers) on 127.0.0.1:$BACKEND_PORT"
(
    cd "$APP_BACKEND"
    export GUNICORN_BIND="127.0.0.1:$BACKEND_PORT" WEB_CONCURRENCY=2 \
        PROMETHEUS_MULTIPROC_DIR="$RUNTMP/prometheus-multiproc" GUNICORN_WORKER_TMP_DIR="$RUNTMP" \
        TMPDIR="$RUNTMP" DB_WAIT_TIMEOUT=30
    app_run_like_container "$RUNTMP" ./docker-entrypoint.sh
) >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
app_wait_http "http://127.0.0.1:$BACKEND_PORT/readyz" 60 200 || { cat "$WORK/gunicorn.log"; exit 1; }
# The kubelet's stand-in: probes /readyz and /healthz every second (the pod's readiness probe runs
# every 10s), bounded to 10 minutes. In a cluster these probes keep the database connection-error
# counter rising while PostgreSQL is unreachable, with or without user traffic.
(
    for ((i = 0; i < 600; i++)); do
        curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$BACKEND_PORT/readyz" || true
        curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$BACKEND_PORT/healthz" || true
        sleep 1
    done
) &
PROBER_PID=$!

# --- a real Prometheus with the stack's kubernetes-pods job and alert rules ---------------------------
PROM_PORT="$(app_free_port)"
PROM="http://127.0.0.1:$PROM_PORT"
"$PY" "$HELPER" live-config "$FILES" "$PROM_PORT" "$BACKEND_PORT" 1s "$PROM_DIR/live.yml"
check "promtool check config live.yml (the kubernetes-pods job with a static target)" "$PROMTOOL" check config "$PROM_DIR/live.yml"
app_log "monitoring: starting Prometheus on $PROM (scrape and evaluation every 1s)"
"$PROMETHEUS" --config.file="$PROM_DIR/live.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROMETHEUS_PID=$!
app_wait_http "$PROM/-/ready" 60 200 || { cat "$WORK/prometheus.log"; exit 1; }

traffic() { # traffic ROUNDS: bounded API traffic: lists, details, creates (201), rejects (400), 404s, updates, deletes
    "$PY" - "http://127.0.0.1:$BACKEND_PORT" "$1" <<'PY'
import json, sys, urllib.request, urllib.error
base, rounds = sys.argv[1], int(sys.argv[2])
codes = {}
def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            code, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, text = e.code, e.read()
    codes[code] = codes.get(code, 0) + 1
    try:
        return code, json.loads(text or b"null")
    except ValueError:
        return code, None
code, page = call("GET", "/api/destinations/")
dest = page["results"][0]["id"] if code == 200 else 1
for i in range(rounds):
    call("GET", "/api/destinations/")
    call("GET", f"/api/destinations/{dest}/")
    call("GET", "/api/trips/")
    code, trip = call("POST", "/api/trips/", {"title": f"Monitoring {i}", "destination": dest,
                      "start_date": "2027-05-01", "end_date": "2027-05-04", "travellers": 2})
    call("POST", "/api/trips/", {"title": "bad dates", "destination": dest,
         "start_date": "2027-05-04", "end_date": "2027-05-01", "travellers": 2})
    call("GET", "/api/trips/999999/")
    if code == 201:
        call("GET", f"/api/trips/{trip['id']}/")
        call("PATCH", f"/api/trips/{trip['id']}/", {"notes": "checked"})
        if i % 2:
            call("DELETE", f"/api/trips/{trip['id']}/")
    call("GET", "/readyz")
print("traffic: " + ", ".join(f"{n}x{c}" for c, n in sorted(codes.items())))
PY
}
app_log "monitoring: traffic, in three waves a few scrapes apart (rates need samples on both sides)"
for wave in 1 2 3; do
    traffic 15 || fail "traffic wave $wave (see the lines above)"
    sleep 4
done
# Panel queries use [5m] rates: wait until the series have several samples after the last wave.
sleep 3

helper live-targets "$FILES" "$PROM"
helper live-panels "$FILES" "$PROM"
helper live-rules "$PROM"
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" BackendDown none
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" PostgreSQLUnreachable none
# The one local "pod" answers: no running backend pod is silent.
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" BackendReplicasBelowDesired none

# --- PostgreSQL goes away: connection errors and 5xx must show ----------------------------------------
app_log "monitoring: stopping PostgreSQL; the backend keeps running"
app_pg_stop
# New series (status="500", connection errors) need samples before and after an increase for rate().
for wave in 1 2 3; do
    traffic 3 || true
    sleep 3
done
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" PostgreSQLUnreachable some
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" BackendHigh5xxRatio some
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" BackendDown none

# --- the backend goes away: its target goes down ------------------------------------------------------
app_log "monitoring: stopping the backend"
app_kill_pid "$PROBER_PID"; PROBER_PID=""
app_kill_pid "$GUNICORN_PID"; GUNICORN_PID=""
helper live-expr "$PROM" "$PROM_DIR/alerts.yml" BackendDown some

app_log "monitoring: NOTE Grafana not started: no Grafana server in Debian, PyPI or npm, and the Go module proxy refuses github.com/grafana/grafana (docs/monitoring.md)"
app_log "monitoring: took $((SECONDS - START))s"
tally_summary monitoring
