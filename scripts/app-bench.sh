#!/usr/bin/env bash
# Benchmark (prints numbers; not a test): wrk against
#   a) GET /api/trips/ through nginx (DRF + PostgreSQL, 100 trips, a page of 20)
#   b) GET /api/bench/ping through nginx (a bare Django JSON view, BENCH_ENDPOINTS=1): the baseline
#   c) GET /api/bench/ping straight to gunicorn (no nginx)
# on the same gunicorn (WEB_CONCURRENCY workers, multiprocess metrics, as in the image), all on
# 127.0.0.1; then a) and b) again on every variant (below), each on its own gunicorn and nginx
# and the same database, after checking that it returns the same trips. Prints requests/s, p50,
# p99 and the ratios to the baseline, the whole-stack CPU time per request (a figure the
# machine's load hardly moves), the in-process CPU time per request and the load average.
# Knobs: BENCH_DURATION (s, default 15), BENCH_CONNECTIONS (default 64), BENCH_THREADS (default 2),
#        BENCH_WORKERS (gunicorn workers, default 2 as in the image), BENCH_PROFILE=1 (also print
#        the top of a cProfile of /api/trips/ in-process),
#        BENCH_ROUNDS (default 1): a) and b) of every variant, this many times, alternated,
#        BENCH_BEFORE=<git ref>: shorthand for the variant "<ref>|<ref>",
#        BENCH_VARIANTS: variants separated by ";", each "LABEL|REF|NAME=VALUE|NAME=VALUE...":
#          REF a git ref (its backend and nginx template) or "." (this working tree);
#          NAME=VALUE the environment of its gunicorn, e.g. GUNICORN_CMD_ARGS=--threads 4
#          (gunicorn's documented override of its config file), WEB_CONCURRENCY=3, and
#          BENCH_SETTINGS=<python>: statements run after travelapp.settings (a settings module
#          of their own), e.g. BENCH_SETTINGS=DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
set -Eeuo pipefail
# shellcheck source=scripts/lib/app-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/app-common.sh"

DURATION="${BENCH_DURATION:-15}"
CONNS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
WORKERS="${BENCH_WORKERS:-2}"
ROUNDS="${BENCH_ROUNDS:-1}"
VARIANTS=()
[[ -n "${BENCH_BEFORE:-}" ]] && VARIANTS+=("$BENCH_BEFORE|$BENCH_BEFORE")
if [[ -n "${BENCH_VARIANTS:-}" ]]; then
    IFS=';' read -r -a more <<<"$BENCH_VARIANTS"
    for v in "${more[@]}"; do
        v="$(sed 's/^ *//; s/ *$//' <<<"$v")"
        [[ -n "$v" ]] && VARIANTS+=("$v")
    done
fi
TRIPS=100

WORK="$(mktemp -d "${TMPDIR:-/tmp}/app-bench.XXXXXX")"
chmod 755 "$WORK"
PIDS=()
ROLES=()   # ROLES[i]: what PIDS[i] is (gunicorn or nginx), for the CPU breakdown
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do app_kill_pid "$pid"; done
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

start_backend() { # start_backend NAME DIR [NAME=VALUE...]: the image's start script in DIR, on a free port -> $BACKEND_PORT
    local name="$1" dir="$2" assignment settings="" env_args=()
    shift 2
    BACKEND_PORT="$(app_free_port)"
    mkdir -p "$WORK/$name"
    for assignment in "$@"; do
        if [[ "$assignment" == BENCH_SETTINGS=* ]]; then settings+="${assignment#BENCH_SETTINGS=}"$'\n'
        else env_args+=("$assignment"); fi
    done
    if [[ -n "$settings" ]]; then
        printf 'from travelapp.settings import *  # noqa\n%s' "$settings" >"$WORK/$name/bench_settings.py"
        env_args+=(DJANGO_SETTINGS_MODULE=bench_settings "PYTHONPATH=$WORK/$name")
    fi
    # exec all the way down: $! is then gunicorn's master, which cleanup stops.
    (cd "$dir" && exec env GUNICORN_BIND="127.0.0.1:$BACKEND_PORT" WEB_CONCURRENCY="$WORKERS" \
        PROMETHEUS_MULTIPROC_DIR="$WORK/$name/prom" GUNICORN_WORKER_TMP_DIR="$WORK/$name" \
        "${env_args[@]}" ./docker-entrypoint.sh) >"$WORK/$name/gunicorn.log" 2>&1 &
    PIDS+=($!)
    ROLES+=(gunicorn)
    app_wait_http "http://127.0.0.1:$BACKEND_PORT/readyz" 60 200 || { tail -n 30 "$WORK/$name/gunicorn.log"; exit 1; }
}

start_nginx() { # start_nginx NAME BACKEND_PORT TEMPLATE -> $NGINX_PORT
    app_nginx_start "$WORK/$1/nginx" "$2" "$3" off
    PIDS+=("$NGINX_PID")
    ROLES+=(nginx)
}

start_backend after "$APP_BACKEND"
AFTER_BACKEND=$BACKEND_PORT
start_nginx after "$AFTER_BACKEND" "$APP_FRONTEND/nginx/default.conf.template"
AFTER_NGINX=$NGINX_PORT
[[ "$(curl -s "http://127.0.0.1:$AFTER_NGINX/api/trips/" | python -c 'import json,sys; print(json.load(sys.stdin)["count"])')" == "$TRIPS" ]] \
    || app_die "expected $TRIPS trips behind /api/trips/"
curl -sf "http://127.0.0.1:$AFTER_NGINX/api/bench/ping" | grep -q pong || app_die "/api/bench/ping not routed"

LABELS=()        # LABELS[i]: variant i's label
VARIANT_NGINX=() # its nginx port
for i in "${!VARIANTS[@]}"; do
    IFS='|' read -r -a fields <<<"${VARIANTS[$i]}"
    label="${fields[0]}" ref="${fields[1]:-.}"
    LABELS+=("$label")
    app_log "bench: variant $i \"$label\": ${ref/#./this working tree}${fields[2]:+, ${fields[*]:2}}"
    if [[ "$ref" == "." ]]; then
        backend="$APP_BACKEND" template="$APP_FRONTEND/nginx/default.conf.template"
    else
        mkdir -p "$WORK/src-$i"
        git -C "$APP_ROOT" archive "$ref" app/backend app/frontend/nginx | tar -x -C "$WORK/src-$i"
        backend="$WORK/src-$i/app/backend" template="$WORK/src-$i/app/frontend/nginx/default.conf.template"
    fi
    start_backend "variant-$i" "$backend" "${fields[@]:2}"
    start_nginx "variant-$i" "$BACKEND_PORT" "$template"
    VARIANT_NGINX+=("$NGINX_PORT")
    # Same trips, same fields and values, page after page ("version" is left out: refs
    # from before issue 12 do not have it; links are not compared, they became relative).
    python - "http://127.0.0.1:$NGINX_PORT" "http://127.0.0.1:$AFTER_NGINX" <<'PY' || app_die "variant \"$label\" and this tree disagree"
import json, sys, urllib.request
other_base, this_base = sys.argv[1:]
for page in range(1, 6):
    get = lambda base: json.load(urllib.request.urlopen(f"{base}/api/trips/?page={page}", timeout=10))
    other, this = get(other_base), get(this_base)
    strip = lambda page: [{k: v for k, v in t.items() if k != "version"} for t in page["results"]]
    assert other["count"] == this["count"] and strip(other) == strip(this), f"page {page} differs"
print("bench: the variant returns the same trips as this tree on every page")
PY
done

# In-process CPU per request (the worker's own time, without nginx, wrk or PostgreSQL):
# what the code costs, a figure the machine's load hardly moves.
PROMETHEUS_MULTIPROC_DIR="$WORK/in-process-prom" python - "${BENCH_PROFILE:-0}" <<'PY'
import cProfile, io, pstats, sys, time
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext
app = WSGIHandler()
def call(path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
               "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1"}
    body = app(environ, lambda status, headers: None)
    b"".join(body)
    body.close()
cpu = {}
for path in ("/api/trips/", "/api/bench/ping"):
    for _ in range(50):
        call(path)
    start = time.process_time()
    for _ in range(500):
        call(path)
    cpu[path] = (time.process_time() - start) / 500 * 1000
with CaptureQueriesContext(connection) as queries:
    call("/api/trips/")
print(f"in-process CPU per request: GET /api/trips/ {cpu['/api/trips/']:.2f} ms ({len(queries)} SQL "
      f"quer{'y' if len(queries) == 1 else 'ies'} + the connection health check), "
      f"GET /api/bench/ping {cpu['/api/bench/ping']:.2f} ms, ratio {cpu['/api/bench/ping'] / cpu['/api/trips/']:.2f}")
if sys.argv[1] == "1":
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(300):
        call("/api/trips/")
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
PY

to_ms() { # wrk's "1.23ms" / "456.00us" / "1.02s" -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else printf "%s", v }'
}
# CPU seconds used so far by the servers of this run, every process under them included:
# "TOTAL POSTGRES GUNICORN NGINX". With wrk's own (children_cpu_seconds), per request, it is
# what the whole stack costs on this box, a figure that other work on the machine hardly moves,
# unlike req/s and latency: a quiet 2-core machine's req/s ratio is about its inverse.
server_cpu_seconds() {
    local i roots=("postgres:$(head -n 1 "$APP_PG_DATA/postmaster.pid")")
    for i in "${!PIDS[@]}"; do roots+=("${ROLES[$i]}:${PIDS[$i]}"); done
    python3 - "${roots[@]}" <<'PY'
import os, sys
stats = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    stats[int(pid)] = (int(fields[1]), sum(map(int, fields[11:15])))  # ppid; utime stime cutime cstime
seconds = {"postgres": 0.0, "gunicorn": 0.0, "nginx": 0.0}
for role, root in (arg.split(":") for arg in sys.argv[1:]):
    tree, grew = {int(root)}, True
    while grew:
        more = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    seconds[role] += sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")
print(sum(seconds.values()), seconds["postgres"], seconds["gunicorn"], seconds["nginx"])
PY
}
children_cpu_seconds() { # of this shell's waited-for children (wrk); `times` must run in this shell, not a subshell
    times >"$WORK/times"
    tail -n 1 "$WORK/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }'
}
declare -A RPS P50 P99 CPU SPLIT
run_wrk() { # run_wrk KEY URL
    local key="$1" url="$2" out cpu0 cpu1 wrk0 wrk1 requests
    wrk -t"$THREADS" -c"$CONNS" -d2s "$url" >/dev/null   # warm-up
    cpu0="$(server_cpu_seconds)"
    children_cpu_seconds >"$WORK/wrk0"
    out="$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url")"
    children_cpu_seconds >"$WORK/wrk1"
    cpu1="$(server_cpu_seconds)"
    wrk0="$(cat "$WORK/wrk0")"; wrk1="$(cat "$WORK/wrk1")"
    echo "$out" | sed 's/^/    /'
    if grep -q 'Non-2xx' <<<"$out"; then app_die "non-2xx responses for $url"; fi
    RPS[$key]="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    P50[$key]="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    P99[$key]="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    CPU[$key]="$(awk -v a="$cpu0" -v b="$cpu1" -v w0="$wrk0" -v w1="$wrk1" -v n="$requests" \
        'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.2f", (y[1] - x[1] + w1 - w0) * 1000 / n}')"
    SPLIT[$key]="$(awk -v a="$cpu0" -v b="$cpu1" -v w0="$wrk0" -v w1="$wrk1" -v n="$requests" \
        'BEGIN {split(a, x, " "); split(b, y, " ")
                printf "%8.2f %8.2f %8.2f %8.2f", (y[2] - x[2]) * 1000 / n, (y[3] - x[3]) * 1000 / n,
                    (y[4] - x[4]) * 1000 / n, (w1 - w0) * 1000 / n}')"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
app_log "bench: wrk -t$THREADS -c$CONNS -d${DURATION}s, gunicorn $WORKERS workers, nginx 1 worker, $(nproc) cores, load average $LOAD_BEFORE"
app_log "bench: b) GET /api/bench/ping via nginx"
run_wrk ping "http://127.0.0.1:$AFTER_NGINX/api/bench/ping"
app_log "bench: a) GET /api/trips/ via nginx"
run_wrk trips "http://127.0.0.1:$AFTER_NGINX/api/trips/"
app_log "bench: c) GET /api/bench/ping direct to gunicorn"
run_wrk direct "http://127.0.0.1:$AFTER_BACKEND/api/bench/ping"
# The variants, alternated round by round so that the machine's load drifts across all of them.
for ((round = 1; round <= ROUNDS; round++)); do
    for i in "${!LABELS[@]}"; do
        app_log "bench: round $round, variant $i \"${LABELS[$i]}\": ping, then the list, via nginx"
        run_wrk "v$i-r$round-ping" "http://127.0.0.1:${VARIANT_NGINX[$i]}/api/bench/ping"
        run_wrk "v$i-r$round-trips" "http://127.0.0.1:${VARIANT_NGINX[$i]}/api/trips/"
    done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

row() { printf '%-46s %9s %8s %8s %13s\n' "$@"; }
echo
row "endpoint" "req/s" "p50 ms" "p99 ms" "CPU ms/req"
row "a) GET /api/trips/ (nginx, DRF, PostgreSQL)" "${RPS[trips]}" "${P50[trips]}" "${P99[trips]}" "${CPU[trips]}"
row "b) GET /api/bench/ping (nginx, bare Django)" "${RPS[ping]}" "${P50[ping]}" "${P99[ping]}" "${CPU[ping]}"
row "c) GET /api/bench/ping (direct to gunicorn)" "${RPS[direct]}" "${P50[direct]}" "${P99[direct]}" "${CPU[direct]}"
echo
echo "CPU ms per request, by process (where the time goes):"
printf '%-46s %8s %8s %8s %8s\n' "endpoint" postgres gunicorn nginx wrk
printf '%-46s %s\n' "a) GET /api/trips/" "${SPLIT[trips]}"
printf '%-46s %s\n' "b) GET /api/bench/ping via nginx" "${SPLIT[ping]}"
printf '%-46s %s\n' "c) GET /api/bench/ping direct" "${SPLIT[direct]}"
awk -v t="${RPS[trips]}" -v p="${RPS[ping]}" -v d="${RPS[direct]}" \
    -v ct="${CPU[trips]}" -v cp="${CPU[ping]}" -v p99="${P99[trips]}" -v c="$CONNS" 'BEGIN {
    printf "ratio trips/ping, req/s:              %.2f  (goal >= 0.5)\n", t / p
    printf "ratio trips/ping, whole-stack CPU:    %.2f  (ping CPU / trips CPU per request)\n", cp / ct
    printf "trips p99 at %d connections:          %.1f ms  (goal < 100)\n", c, p99
    printf "ratio ping via nginx / ping direct:   %.2f\n", p / d }'
if [[ ${#LABELS[@]} -gt 0 ]]; then
    echo
    echo "variants (a) the list, b) the bare view, both via nginx; each round's figures, the ratio a/b of that round;"
    echo "the list's CPU ms per request by process last):"
    printf '%-34s %5s %9s %15s %8s %9s %8s %8s %9s %9s %35s\n' variant round "a) req/s" "a) p50/p99 ms" "a) CPU" "b) req/s" "b) p99" "b) CPU" "a/b req/s" "a/b CPU" "a) postgres gunicorn nginx wrk"
    for i in "${!LABELS[@]}"; do
        for ((round = 1; round <= ROUNDS; round++)); do
            t="v$i-r$round-trips" p="v$i-r$round-ping"
            awk -v l="${LABELS[$i]:0:34}" -v r="$round" -v tr="${RPS[$t]}" -v t50="${P50[$t]}" -v t99="${P99[$t]}" -v tc="${CPU[$t]}" \
                -v pr="${RPS[$p]}" -v p99="${P99[$p]}" -v pc="${CPU[$p]}" -v by_process="${SPLIT[$t]}" 'BEGIN {
                printf "%-34s %5d %9.0f %15s %8.2f %9.0f %8.1f %8.2f %9.2f %9.2f %35s\n", l, r, tr, t50 " / " t99, tc, pr, p99, pc, tr / pr, pc / tc, by_process }'
        done
    done
fi
echo "load average (1, 5, 15 min): $LOAD_BEFORE before wrk, $LOAD_AFTER after"
