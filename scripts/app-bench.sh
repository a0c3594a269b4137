#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): wrk against
#   a) GET /api/trips/ through nginx (DRF + PostgreSQL, ~100 trips, page of 20)
#   b) GET /api/bench/ping through nginx (a bare Django JSON view, BENCH_ENDPOINTS=1)
#   c) GET /api/bench/ping straight to gunicorn (no nginx)
# on the same gunicorn (2 workers, multiprocess metrics, as in the image), in one
# run, all on 127.0.0.1. Prints requests/s, p50, p99 and the ratios.
# Knobs: BENCH_DURATION (s, default 15), BENCH_CONNECTIONS (default 16), BENCH_THREADS (default 2).
set -Eeuo pipefail
# shellcheck source=scripts/lib/app-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/app-common.sh"

DURATION="${BENCH_DURATION:-15}"
CONNS="${BENCH_CONNECTIONS:-16}"
THREADS="${BENCH_THREADS:-2}"
TRIPS=100

WORK="$(mktemp -d "${TMPDIR:-/tmp}/app-bench.XXXXXX")"
chmod 755 "$WORK"
GUNICORN_PID=""
NGINX_PID=""
cleanup() {
    app_kill_pid "$NGINX_PID"
    app_kill_pid "$GUNICORN_PID"
    app_pg_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

app_log "bench: installing what is missing"
app_install_system nginx:nginx-light wrk:wrk envsubst:gettext-base curl:curl
app_install_python
app_npm_ci "$APP_FRONTEND"
(cd "$APP_FRONTEND" && npm run build --silent >"$WORK/vite-build.log" 2>&1) || { cat "$WORK/vite-build.log"; exit 1; }

app_pg_start "$WORK"
export SECRET_KEY="bench-$RANDOM-$RANDOM" DEBUG=false ALLOWED_HOSTS="127.0.0.1,localhost"
export DJANGO_SETTINGS_MODULE=travelapp.settings PYTHONDONTWRITEBYTECODE=1 BENCH_ENDPOINTS=1
export PATH="$APP_VENV/bin:$PATH"
cd "$APP_BACKEND"
python manage.py migrate --noinput >"$WORK/migrate.log"
python manage.py shell -c "
import datetime as dt
from trips.models import Destination, Trip
dests = list(Destination.objects.all())
start = dt.date(2027, 1, 1)
Trip.objects.bulk_create([
    Trip(title=f'Bench trip {i:03d}', destination=dests[i % len(dests)],
         start_date=start + dt.timedelta(days=i), end_date=start + dt.timedelta(days=i + 1 + i % 9),
         travellers=1 + i % 20, notes='Benchmark data.')
    for i in range($TRIPS)
])
print(f'bench: {Trip.objects.count()} trips in the database')
"

BACKEND_PORT="$(app_free_port)"
GUNICORN_BIND="127.0.0.1:$BACKEND_PORT" WEB_CONCURRENCY=2 PROMETHEUS_MULTIPROC_DIR="$WORK/prom" \
    GUNICORN_WORKER_TMP_DIR="$WORK" ./docker-entrypoint.sh >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
app_wait_http "http://127.0.0.1:$BACKEND_PORT/readyz" 60 200

NGINX_PORT="$(app_free_port)"
NG="$WORK/nginx"
mkdir -p "$NG/conf.d" "$NG/tmp"
ln -s "$APP_FRONTEND/dist" "$NG/html"
BACKEND_HOST=127.0.0.1 BACKEND_PORT="$BACKEND_PORT" NGINX_PORT="$NGINX_PORT" \
    envsubst '${BACKEND_HOST} ${BACKEND_PORT} ${NGINX_PORT}' \
    <"$APP_FRONTEND/nginx/default.conf.template" >"$NG/conf.d/default.conf"
user_line=""
if [[ "$(id -u)" == 0 ]]; then user_line="user nobody nogroup;"; chown -R nobody:nogroup "$NG/tmp"; fi
cat >"$NG/nginx.conf" <<NGINX
$user_line
worker_processes 1;
daemon off;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    client_body_temp_path $NG/tmp/client_body;
    proxy_temp_path $NG/tmp/proxy;
    fastcgi_temp_path $NG/tmp/fastcgi;
    uwsgi_temp_path $NG/tmp/uwsgi;
    scgi_temp_path $NG/tmp/scgi;
    include $NG/conf.d/*.conf;
}
NGINX
nginx -p "$NG/" -c "$NG/nginx.conf" -e "$NG/error.log" &
NGINX_PID=$!
app_wait_http "http://127.0.0.1:$NGINX_PORT/healthz" 30 200
[[ "$(curl -s "http://127.0.0.1:$NGINX_PORT/api/trips/" | python -c 'import json,sys; print(json.load(sys.stdin)["count"])')" == "$TRIPS" ]] \
    || app_die "expected $TRIPS trips behind /api/trips/"
curl -sf "http://127.0.0.1:$NGINX_PORT/api/bench/ping" | grep -q pong || app_die "/api/bench/ping not routed"

to_ms() { # wrk's "1.23ms" / "456.00us" / "1.02s" -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else printf "%s", v }'
}
declare -A RPS P50 P99
run_wrk() { # run_wrk KEY URL
    local key="$1" url="$2" out
    wrk -t"$THREADS" -c"$CONNS" -d2s "$url" >/dev/null   # warm-up
    out="$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")"
    echo "$out" | sed 's/^/    /'
    if grep -q 'Non-2xx' <<<"$out"; then app_die "non-2xx responses for $url"; fi
    RPS[$key]="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    P50[$key]="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    P99[$key]="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
}

app_log "bench: wrk -t$THREADS -c$CONNS -d${DURATION}s, gunicorn 2 workers, nginx 1 worker, $(nproc) cores"
app_log "bench: a) GET /api/trips/ via nginx"
run_wrk trips "http://127.0.0.1:$NGINX_PORT/api/trips/"
app_log "bench: b) GET /api/bench/ping via nginx"
run_wrk ping "http://127.0.0.1:$NGINX_PORT/api/bench/ping"
app_log "bench: c) GET /api/bench/ping direct to gunicorn"
run_wrk direct "http://127.0.0.1:$BACKEND_PORT/api/bench/ping"

echo
printf '%-44s %10s %9s %9s\n' "endpoint" "req/s" "p50 ms" "p99 ms"
printf '%-44s %10s %9s %9s\n' "GET /api/trips/ (nginx -> DRF + PostgreSQL)" "${RPS[trips]}" "${P50[trips]}" "${P99[trips]}"
printf '%-44s %10s %9s %9s\n' "GET /api/bench/ping (nginx -> bare Django)" "${RPS[ping]}" "${P50[ping]}" "${P99[ping]}"
printf '%-44s %10s %9s %9s\n' "GET /api/bench/ping (direct to gunicorn)" "${RPS[direct]}" "${P50[direct]}" "${P99[direct]}"
awk -v t="${RPS[trips]}" -v p="${RPS[ping]}" -v d="${RPS[direct]}" 'BEGIN {
    printf "ratio trips/ping (req/s, both via nginx): %.2f  (the bare view is %.1fx faster)\n", t / p, p / t
    printf "ratio ping via nginx / ping direct:       %.2f\n", p / d }'
