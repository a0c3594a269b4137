#!/usr/bin/env bash
# Test entry point of the Travel App (app/): installs what it needs
# (idempotent, quick when already installed), then
#   1. lint: hadolint (both Dockerfiles), ruff (check + format), eslint
#   2. backend: pytest + pytest-django against a real PostgreSQL server
#   3. frontend: vitest
#   4. scripts/app-e2e.sh: the whole stack on real servers + headless Chromium
# Runs every step, then exits non-zero if any failed.
set -Eeuo pipefail
# shellcheck source=scripts/lib/app-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/app-common.sh"

STARTED=$SECONDS
declare -a RESULTS=()
FAILURES=0
step() { # step NAME CMD...
    local name="$1" t0=$SECONDS rc=0
    shift
    app_log "=== $name"
    "$@" || rc=$?
    if [[ $rc -eq 0 ]]; then
        RESULTS+=("ok    $name ($((SECONDS - t0))s)")
    else
        RESULTS+=("FAIL  $name (exit $rc, $((SECONDS - t0))s)")
        FAILURES=$((FAILURES + 1))
    fi
    app_log "=== $name: $([[ $rc -eq 0 ]] && echo ok || echo "FAILED (exit $rc)")"
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/app-test.XXXXXX")"
cleanup() {
    app_pg_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

install_all() {
    app_install_system nginx:nginx-light chromium:chromium envsubst:gettext-base curl:curl \
        unshare:util-linux setpriv:util-linux wrk:wrk
    app_install_python
    app_npm_ci "$APP_FRONTEND"
    app_npm_ci "$APP_E2E"
}

lint_hadolint() {
    "$APP_VENV/bin/hadolint" "$APP_BACKEND/Dockerfile" && echo "hadolint: app/backend/Dockerfile clean" \
        && "$APP_VENV/bin/hadolint" "$APP_FRONTEND/Dockerfile" && echo "hadolint: app/frontend/Dockerfile clean"
}
lint_ruff() {
    (cd "$APP_BACKEND" && "$APP_VENV/bin/ruff" check . && "$APP_VENV/bin/ruff" format --check .)
}
lint_eslint() {
    (cd "$APP_FRONTEND" && npx --no-install eslint --max-warnings=0 . && echo "eslint: clean")
}

backend_pytest() {
    app_pg_start "$WORK"
    local rc=0
    (
        cd "$APP_BACKEND"
        export SECRET_KEY="pytest-$RANDOM-$RANDOM" DEBUG=false ALLOWED_HOSTS=testserver
        export PROMETHEUS_MULTIPROC_DIR="$WORK/prometheus-multiproc" PYTHONDONTWRITEBYTECODE=1
        "$APP_PY" -m pytest -p no:cacheprovider
    ) || rc=$?
    app_pg_stop
    return $rc
}

frontend_vitest() {
    (cd "$APP_FRONTEND" && npx --no-install vitest run)
}

step "install (apt, venv, npm ci)" install_all
if [[ $FAILURES -ne 0 ]]; then
    app_log "install failed; not running the tests"
    exit 1
fi
step "lint: hadolint" lint_hadolint
step "lint: ruff" lint_ruff
step "lint: eslint" lint_eslint
step "backend: pytest on PostgreSQL" backend_pytest
step "frontend: vitest" frontend_vitest
step "e2e: scripts/app-e2e.sh" bash "$APP_ROOT/scripts/app-e2e.sh"

echo
echo "app-test summary ($((SECONDS - STARTED))s):"
printf '  %s\n' "${RESULTS[@]}"
[[ $FAILURES -eq 0 ]]
