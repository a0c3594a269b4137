#!/usr/bin/env bash
# End-to-end test of the Travel App on real servers, no containers:
# PostgreSQL (temp cluster) <- gunicorn (2 workers, multiprocess metrics, run
# like the container: read-only root FS, UID 10001) <- nginx (Debian's, with
# the SAME default.conf.template as the image) <- headless Chromium.
# Everything on 127.0.0.1 high ports; cleans up after itself even on failure.
# Ends with "e2e: N passed, M failed".
set -Eeuo pipefail
# shellcheck source=scripts/lib/app-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/app-common.sh"
# shellcheck source=scripts/lib/check-tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/check-tally.sh"

check() { # check NAME CMD... : runs CMD, PASS if it exits 0
    local name="$1"; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/app-e2e.XXXXXX")"
chmod 755 "$WORK"
GUNICORN_PID=""
NGINX_PID=""
cleanup() {
    local rc=$?
    app_log "cleanup: stopping nginx, gunicorn and PostgreSQL; removing $WORK"
    app_kill_pid "$NGINX_PID"
    app_kill_pid "$GUNICORN_PID"
    app_pg_stop
    if [[ $rc -ne 0 || $FAILED -ne 0 ]]; then
        for f in gunicorn.log migrate.log nginx/error.log postgres.log; do
            [[ -s "$WORK/$f" ]] && { echo "----- last lines of $f"; tail -n 30 "$WORK/$f"; }
        done
    fi
    if [[ -n "${APP_E2E_KEEP:-}" ]]; then app_log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- install (idempotent) -------------------------------------------------------
app_log "e2e: installing what is missing"
app_install_system nginx:nginx-light chromium:chromium envsubst:gettext-base curl:curl \
    unshare:util-linux setpriv:util-linux
app_install_python
app_npm_ci "$APP_FRONTEND"
app_npm_ci "$APP_E2E"

app_log "e2e: building the frontend (npm run build)"
(cd "$APP_FRONTEND" && npm run build --silent >"$WORK/vite-build.log" 2>&1) || { cat "$WORK/vite-build.log"; exit 1; }

# --- PostgreSQL, migrate ------------------------------------------------------------
app_pg_start "$WORK"
SECRET_KEY="e2e-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export SECRET_KEY
export DEBUG=false
export ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_SETTINGS_MODULE=travelapp.settings PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
export PATH="$APP_VENV/bin:$PATH"
RUNTMP="$WORK/runtmp"   # the pod's /tmp emptyDir stand-in

# Same command as the per-release Kubernetes Job, under the same conditions as
# the container: read-only root filesystem, only the emptyDir writable, UID 10001.
app_log "e2e: python manage.py migrate --noinput (read-only root FS, UID 10001)"
if (cd "$APP_BACKEND" && PROMETHEUS_MULTIPROC_DIR="$RUNTMP/migrate-prom" TMPDIR="$RUNTMP" \
        app_run_like_container "$RUNTMP" python manage.py migrate --noinput) >"$WORK/migrate.log" 2>&1; then
    pass "migrate Job command succeeds on a read-only root filesystem as UID 10001"
else
    fail "migrate Job command succeeds on a read-only root filesystem as UID 10001"
    cat "$WORK/migrate.log"; exit 1
fi

# --- backend: the image's default command (wait for DB, then gunicorn) ------------
BACKEND_PORT="$(app_free_port)"
app_log "e2e: starting the backend (docker-entrypoint.sh -> gunicorn, 2 workers) on 127.0.0.1:$BACKEND_PORT"
(
    cd "$APP_BACKEND"
    export GUNICORN_BIND="127.0.0.1:$BACKEND_PORT" WEB_CONCURRENCY=2 \
        PROMETHEUS_MULTIPROC_DIR="$RUNTMP/prometheus-multiproc" GUNICORN_WORKER_TMP_DIR="$RUNTMP" \
        TMPDIR="$RUNTMP" DB_WAIT_TIMEOUT=30
    app_run_like_container "$RUNTMP" ./docker-entrypoint.sh
) >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
app_wait_http "http://127.0.0.1:$BACKEND_PORT/readyz" 60 200 || { cat "$WORK/gunicorn.log"; exit 1; }
check "backend start script logs the database wait" grep -q "wait_for_db: database travel at 127.0.0.1:$DB_PORT is up" "$WORK/gunicorn.log"
control_socket_in_tmp() {
    grep -q "Control socket listening at $RUNTMP/gunicorn.ctl" "$WORK/gunicorn.log" \
        && ! grep -q "Control server error" "$WORK/gunicorn.log"
}
check "gunicorn's control socket is in the writable tmp dir, no error on the read-only root" control_socket_in_tmp

# --- nginx with the image's template -------------------------------------------------
NG="$WORK/nginx"
app_log "e2e: starting nginx (the image's template rendered with envsubst)"
app_nginx_start "$NG" "$BACKEND_PORT" "$APP_FRONTEND/nginx/default.conf.template" "$NG/access.log" || exit 1
app_log "e2e: nginx on 127.0.0.1:$NGINX_PORT"
BASE="http://127.0.0.1:$NGINX_PORT"

# --- HTTP-level checks --------------------------------------------------------------
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
headers_of() { curl -s -o /dev/null -D - --max-time 10 "$@" | tr -d '\r'; }
POD="10.244.1.7:8000"
ASSET="$(cd "$APP_FRONTEND/dist" && ls assets/*.js | head -n 1)"

nginx_healthz() { [[ "$(status_of "$BASE/healthz")" == 200 ]]; }
deep_link_is_spa() {
    local h
    h="$(curl -s -D - -o "$WORK/deep.html" --max-time 10 "$BASE/trips/12/edit" | tr -d '\r')"
    grep -q '^HTTP/1.1 200' <<<"$h" && grep -qi '^cache-control: no-cache' <<<"$h" \
        && grep -qi '^content-type: text/html' <<<"$h" && grep -q '<div id="root">' "$WORK/deep.html"
}
assets_immutable_gzip() {
    local h
    h="$(headers_of -H 'Accept-Encoding: gzip' "$BASE/$ASSET")"
    grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$h" \
        && grep -qi '^content-encoding: gzip' <<<"$h"
}
missing_asset_404() { [[ "$(status_of "$BASE/assets/nope-123.js")" == 404 ]]; }
missing_asset_404_not_cached() {
    local h
    h="$(headers_of "$BASE/assets/nope-123.js")"
    grep -q '^HTTP/1.1 404' <<<"$h" && grep -qi '^cache-control: no-store' <<<"$h" && ! grep -qi 'max-age' <<<"$h"
}
# json_error STATUS CURL_ARGS...: the answer has STATUS, Content-Type application/json and a
# JSON object with a non-empty "detail" message.
json_error() {
    local want="$1" out code ctype
    shift
    out="$(curl -s -o "$WORK/error-body" -w '%{http_code} %{content_type}' --max-time 10 "$@")" || true
    code="${out%% *}"; ctype="${out#* }"
    if [[ "$code" != "$want" || "$ctype" != application/json* ]] \
        || ! "$APP_PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d["detail"], str) and d["detail"]' \
            "$WORK/error-body" 2>/dev/null; then
        echo "    expected $want JSON, got $code ($ctype): $(head -c 200 "$WORK/error-body")"
        return 1
    fi
}
raw_request_json_error() { # raw_request_json_error STATUS BYTES: for requests curl will not send
    "$APP_PY" - "$NGINX_PORT" "$1" "$2" <<'PY'
import json, socket, sys
port, want, raw = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(raw)
data = b""
while chunk := s.recv(65536):
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
status = head.split(b"\r\n")[0].split()[1].decode()
ok = status == want and b"application/json" in head.lower() and json.loads(body)["detail"]
print(f"    got {status}: {body[:120]!r}") if not ok else None
sys.exit(0 if ok else 1)
PY
}
api_errors_are_json() {
    local long ok=0
    long="$(head -c 9000 /dev/zero | tr '\0' x)"
    head -c 2000000 /dev/zero | tr '\0' x >"$WORK/big-body"
    json_error 404 "$BASE/api/no-such-endpoint/" || ok=1
    json_error 413 -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/big-body" "$BASE/api/trips/" || ok=1
    json_error 414 "$BASE/api/trips/?q=$long" || ok=1
    # Between gunicorn's request-line limit (4094) and nginx's (8 kB): gunicorn's own HTML 414.
    json_error 414 "$BASE/api/trips/?q=${long:0:6000}" || ok=1
    json_error 400 -H "X-Big: $long" "$BASE/api/trips/" || ok=1   # nginx: "header too large" is a 400
    json_error 400 -X POST -H 'Content-Type: application/json' \
        --data-binary "$(printf '%.0s[' {1..1000})$(printf '%.0s]' {1..1000})" "$BASE/api/trips/" || ok=1
    raw_request_json_error 400 'GARBAGE\r\n\r\n' || ok=1
    return $ok
}
links_are_relative() {
    local body root
    body="$(curl -sf --max-time 10 "$BASE/api/destinations/?page_size=5&page=2")"
    root="$(curl -sf --max-time 10 "$BASE/api/")"
    "$APP_PY" -c '
import json, sys
page, root = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert page["next"] == "/api/destinations/?page=3&page_size=5", page["next"]
assert page["previous"] == "/api/destinations/?page_size=5", page["previous"]
assert root == {"destinations": "/api/destinations/", "trips": "/api/trips/"}, root
' "$body" "$root"
}
post_without_slash_creates() {
    local id
    id="$(curl -sf --max-time 10 -X POST -H 'Content-Type: application/json' \
        -d '{"title": "No slash", "destination": 1, "start_date": "2027-01-01", "end_date": "2027-01-02", "travellers": 1}' \
        "$BASE/api/trips" | "$APP_PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')" || return 1
    [[ "$(status_of -X DELETE "$BASE/api/trips/$id/")" == 204 ]]
}
security_headers() {
    local h
    h="$(headers_of "$BASE/")"
    grep -qi '^x-content-type-options: nosniff' <<<"$h" && grep -qi '^x-frame-options: DENY' <<<"$h" \
        && grep -qi '^referrer-policy: ' <<<"$h" \
        && grep -qi "^content-security-policy: default-src 'self';.*frame-ancestors 'none'" <<<"$h"
}
api_proxied() { curl -sf --max-time 10 "$BASE/api/destinations/" | grep -q '"Lisbon"'; }
backend_pod_ip() { [[ "$(status_of -H "Host: $POD" "http://127.0.0.1:$BACKEND_PORT$1")" == 200 ]]; }
backend_api_checks_host() { [[ "$(status_of -H "Host: $POD" "http://127.0.0.1:$BACKEND_PORT/api/trips/")" == 400 ]]; }

check "nginx /healthz answers 200 for the kubelet" nginx_healthz
check "deep link /trips/12/edit serves index.html with no-cache" deep_link_is_spa
check "hashed assets are immutable for a year and gzipped" assets_immutable_gzip
check "a missing asset is a 404, not the SPA" missing_asset_404
check "a missing asset's 404 is not cached (no-store), only real hits get a year" missing_asset_404_not_cached
check "every /api/ error through nginx is JSON with a message (404, 413, 414 twice, header too large, nested JSON, bad request line)" api_errors_are_json
check "pagination and API root links through nginx are relative, not the backend's host" links_are_relative
check "POST /api/trips without the trailing slash creates the trip" post_without_slash_creates
check "security headers (nosniff, DENY, Referrer-Policy, CSP frame-ancestors) on the SPA" security_headers
check "/api/ is proxied to the backend (same origin)" api_proxied
for p in /healthz /readyz /metrics; do
    check "backend $p answers a pod-IP Host header ($POD)" backend_pod_ip "$p"
done
check "backend /api/ still refuses a Host not in ALLOWED_HOSTS" backend_api_checks_host

# --- browser ----------------------------------------------------------------------------
metric() { # metric FILE NAME label=value... -> summed sample value
    "$APP_PY" - "$@" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
path, name, *pairs = sys.argv[1:]
want = dict(p.split("=", 1) for p in pairs)
total = 0.0
for fam in text_string_to_metric_families(open(path).read()):
    for s in fam.samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in want.items()):
            total += s.value
print(int(total))
PY
}
curl -sf -H "Host: $POD" "http://127.0.0.1:$BACKEND_PORT/metrics" >"$WORK/metrics-before.txt"

app_log "e2e: headless Chromium (playwright-core, /usr/bin/chromium)"
mkdir -p "$WORK/chromium-profile"
set +e
(cd "$APP_E2E" && BASE_URL="$BASE" USER_DATA_DIR="$WORK/chromium-profile" \
    ARTIFACTS="${APP_E2E_ARTIFACTS:-$WORK/artifacts}" timeout 300 node e2e.mjs) | tee "$WORK/browser.log"
set -e
count_result_lines "$WORK/browser.log"

# --- metrics counted what the browser did (2 workers, multiprocess mode) ---------------
curl -sf -H "Host: $POD" "http://127.0.0.1:$BACKEND_PORT/metrics" >"$WORK/metrics-after.txt"
R=django_http_responses_total_by_status_view_method_total
delta() { echo $(( $(metric "$WORK/metrics-after.txt" "$@") - $(metric "$WORK/metrics-before.txt" "$@") )); }
# What the browser checks sent: POST 201 twice (the form, the long-title trip), 400 twice (the
# end date, every field at once); PUT 200 three times (the reloaded deep link, both tabs) and
# 409 once (the stale tab); DELETE 204 twice (the UI's delete, the long-title trip).
d201=$(delta $R view=trip-list method=POST status=201)
d400=$(delta $R view=trip-list method=POST status=400)
dput=$(delta $R view=trip-detail method=PUT status=200)
d409=$(delta $R view=trip-detail method=PUT status=409)
d204=$(delta $R view=trip-detail method=DELETE status=204)
dlat=$(delta django_http_requests_latency_seconds_by_view_method_count view=trip-list method=POST)
app_log "metrics deltas: POST 201=$d201 POST 400=$d400 PUT 200=$dput PUT 409=$d409 DELETE 204=$d204 POST latency count=$dlat"
check "/metrics counted the UI's created (201) and rejected (400) trips" \
    test "$d201" -eq 2 -a "$d400" -eq 2 -a "$dlat" -eq 4
check "/metrics counted the UI's updates (PUT 200), the stale one (409) and deletes (204)" \
    test "$dput" -eq 3 -a "$d409" -eq 1 -a "$d204" -eq 2

# --- readiness follows the database ----------------------------------------------------
app_log "e2e: stopping PostgreSQL to check readiness"
app_pg_stop
readyz_down() {
    local body
    body="$(curl -s -w ' %{http_code}' --max-time 10 "http://127.0.0.1:$BACKEND_PORT/readyz")"
    [[ "$body" == *'"reason": "database unreachable"'*' 503' ]]
}
check "backend /readyz is 503 with a reason while the database is down" readyz_down
check "backend /healthz stays 200 while the database is down" backend_pod_ip /healthz

app_log "e2e: stopping gunicorn to check nginx's answer without a backend"
app_kill_pid "$GUNICORN_PID"
GUNICORN_PID=""
check "with the backend down, /api/ through nginx is a JSON 502" json_error 502 "$BASE/api/trips/"

tally_summary e2e
