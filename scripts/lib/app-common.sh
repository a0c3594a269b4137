# shellcheck shell=bash
# Helpers of scripts/app-bench.sh: idempotent installs, a
# throw-away PostgreSQL server, free ports, process clean-up. Source it, don't run it.
# The test suites use their Python counterpart, tests/harness/.

APP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP_DIR="$APP_ROOT/app"
APP_BACKEND="$APP_DIR/backend"
# Used by the scripts that source this file.
# shellcheck disable=SC2034
APP_FRONTEND="$APP_DIR/frontend"
# shellcheck disable=SC2034
APP_E2E="$APP_DIR/e2e"
APP_VENV="${APP_VENV:-$APP_BACKEND/.venv}"
APP_PY="$APP_VENV/bin/python"

app_log() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*"; }
app_die() { printf '%s ERROR: %s\n' "[$(date +%H:%M:%S)]" "$*" >&2; exit 1; }

# --- installs (idempotent, quick when already done) -------------------------

_APP_APT_UPDATED=0
app_apt_install() {
    # app_apt_install CMD_OR_PATH:PACKAGE ... ; installs the packages whose
    # probe (a command name or an absolute path) is missing.
    local missing=() item probe pkg
    for item in "$@"; do
        probe="${item%%:*}"; pkg="${item#*:}"
        if [[ "$probe" == /* ]]; then [[ -e "$probe" ]] && continue
        else command -v "$probe" >/dev/null 2>&1 && continue; fi
        missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ "$(id -u)" == 0 ]] || app_die "need Debian packages ${missing[*]} (run as root or install them)"
    app_log "apt: installing ${missing[*]}"
    if [[ $_APP_APT_UPDATED == 0 ]]; then
        apt-get update -qq >/dev/null
        _APP_APT_UPDATED=1
    fi
    # Don't let package scripts start services (the default PostgreSQL cluster, nginx on :80).
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    local rc=$?
    [[ $created_policy == 1 ]] && rm -f "$policy"
    return $rc
}

app_pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/postgres" && -x "$d/initdb" ]] && { echo "$d"; return 0; }
    done
    return 1
}

app_install_system() {
    # PostgreSQL server, plus whatever else the caller names (nginx, wrk, chromium...).
    app_pg_bindir >/dev/null || app_apt_install "/usr/lib/postgresql/15/bin/postgres:postgresql"
    app_pg_bindir >/dev/null || app_die "PostgreSQL server binaries not found after install"
    [[ $# -gt 0 ]] && app_apt_install "$@"
    return 0
}

_app_hash() { cat "$@" | sha256sum | cut -c1-16; }

app_install_python() {
    local stamp="$APP_VENV/.installed" want
    want="$(_app_hash "$APP_BACKEND/requirements.txt" "$APP_BACKEND/requirements-dev.txt")-$(python3 --version 2>&1)"
    if [[ -x "$APP_PY" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    app_log "python: creating $APP_VENV and installing requirements-dev.txt"
    rm -rf "$APP_VENV"
    python3 -m venv "$APP_VENV"
    # Wheels only, as in the image's builder stage: proves no compiler is needed.
    "$APP_PY" -m pip install -q --disable-pip-version-check --no-input --only-binary=:all: \
        -r "$APP_BACKEND/requirements-dev.txt"
    echo "$want" >"$stamp"
}

app_npm_ci() {
    # app_npm_ci DIR: `npm ci` unless node_modules already matches package-lock.json.
    local dir="$1" stamp want
    stamp="$dir/node_modules/.app-installed"
    want="$(_app_hash "$dir/package-lock.json")-$(node --version)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    app_log "npm: npm ci in ${dir#"$APP_ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
    echo "$want" >"$stamp"
}

# --- processes and ports ------------------------------------------------------

app_free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

app_wait_http() {
    # app_wait_http URL SECONDS [EXPECTED_STATUS]
    local url="$1" secs="$2" want="${3:-200}" i code
    for ((i = 0; i < secs * 5; i++)); do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)"
        [[ "$code" == "$want" ]] && return 0
        sleep 0.2
    done
    app_log "timed out waiting for $url to answer $want (last: $code)"
    return 1
}

app_kill_pid() {
    # Kill one process we started, by PID: TERM, then KILL after a grace period.
    local pid="$1" i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# --- a throw-away PostgreSQL server ------------------------------------------
# app_pg_start WORKDIR: initdb in WORKDIR/pgdata, start on 127.0.0.1:<free port>
# as the postgres user (root) or the current user, create role/db "travel".
# Exports DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD and APP_PG_DATA.

_app_as_pg() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

app_pg_start() {
    local work="$1" bindir
    bindir="$(app_pg_bindir)" || app_die "no PostgreSQL server installed"
    APP_PG_BIN="$bindir"
    APP_PG_DATA="$work/pgdata"
    mkdir -p "$APP_PG_DATA"
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || app_die "user postgres missing (is the postgresql package installed?)"
        chown postgres:postgres "$work" "$APP_PG_DATA"
    fi
    chmod 700 "$APP_PG_DATA"
    _app_as_pg "$bindir/initdb" -D "$APP_PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null \
        || app_die "initdb failed"
    DB_PORT="$(app_free_port)"
    _app_as_pg "$bindir/pg_ctl" -D "$APP_PG_DATA" -l "$work/postgres.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $DB_PORT -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$work/postgres.log" >&2; app_die "PostgreSQL did not start"; }
    export DB_HOST=127.0.0.1 DB_PORT DB_NAME=travel DB_USER=travel DB_PASSWORD=travel-test-password
    export APP_PG_DATA APP_PG_BIN
    "$bindir/psql" -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL >/dev/null
CREATE ROLE travel LOGIN PASSWORD 'travel-test-password' CREATEDB;
CREATE DATABASE travel OWNER travel;
SQL
    app_log "postgres: running on 127.0.0.1:$DB_PORT (data $APP_PG_DATA)"
}

app_pg_stop() {
    [[ -n "${APP_PG_DATA:-}" && -d "$APP_PG_DATA" ]] || return 0
    _app_as_pg "$APP_PG_BIN/pg_ctl" -D "$APP_PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# --- nginx with the frontend image's template, without a container -----------
# app_nginx_start DIR BACKEND_PORT TEMPLATE ACCESS_LOG: Debian's nginx serving
# $APP_FRONTEND/dist with TEMPLATE rendered as the image's entrypoint renders it
# (envsubst restricted to its three variables), under a stand-in for the image's
# /etc/nginx/nginx.conf (nginx-unprivileged) whose temp and pid paths are in DIR.
# ACCESS_LOG is a file or "off". Sets NGINX_PORT and NGINX_PID (the master).
app_nginx_start() {
    local ng="$1" backend_port="$2" template="$3" access_log="$4" user_line=""
    NGINX_PORT="$(app_free_port)"
    mkdir -p "$ng/conf.d" "$ng/tmp"
    ln -sfn "$APP_FRONTEND/dist" "$ng/html"
    local names='${BACKEND_HOST} ${BACKEND_PORT} ${NGINX_PORT}'   # the names envsubst may replace, not expansions
    BACKEND_HOST=127.0.0.1 BACKEND_PORT="$backend_port" NGINX_PORT="$NGINX_PORT" \
        envsubst "$names" <"$template" >"$ng/conf.d/default.conf"
    if [[ "$(id -u)" == 0 ]]; then
        user_line="user nobody nogroup;"
        chown -R nobody:nogroup "$ng/tmp"
    fi
    cat >"$ng/nginx.conf" <<NGINX
$user_line
worker_processes 1;
daemon off;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $access_log;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path $ng/tmp/client_body;
    proxy_temp_path $ng/tmp/proxy;
    fastcgi_temp_path $ng/tmp/fastcgi;
    uwsgi_temp_path $ng/tmp/uwsgi;
    scgi_temp_path $ng/tmp/scgi;
    include $ng/conf.d/*.conf;
}
NGINX
    nginx -t -q -p "$ng/" -c "$ng/nginx.conf" -e "$ng/error.log" || { cat "$ng/error.log" >&2; return 1; }
    nginx -p "$ng/" -c "$ng/nginx.conf" -e "$ng/error.log" &
    # shellcheck disable=SC2034  # read by the scripts that source this file
    NGINX_PID=$!
    app_wait_http "http://127.0.0.1:$NGINX_PORT/healthz" 30 200
}
