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
STEP_NO=0
step() { # step NAME CMD... ; output is shown and kept in $WORK/step-N.log
    local name="$1" t0=$SECONDS rc=0
    shift
    STEP_NO=$((STEP_NO + 1))
    app_log "=== $name"
    "$@" 2>&1 | tee "$WORK/step-$STEP_NO.log" || rc=${PIPESTATUS[0]}
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
        unshare:util-linux setpriv:util-linux
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
    (cd "$APP_FRONTEND" && npx --no-install vitest run --reporter=default)
}

# The frontend image's start-up check, run as the nginx entrypoint would run it.
frontend_entrypoint_check() {
    local script="$APP_FRONTEND/docker-entrypoint.d/05-require-backend-host.sh" out ok=0
    if out="$(env -i PATH=/usr/bin:/bin NGINX_PORT=8080 BACKEND_PORT=8000 sh "$script" 2>&1)"; then
        echo "FAIL: started without BACKEND_HOST"; ok=1
    elif [[ "$out" != *"BACKEND_HOST is not set"* ]]; then
        echo "FAIL: unclear message without BACKEND_HOST: $out"; ok=1
    else
        echo "PASS refuses to start without BACKEND_HOST: $out"
    fi
    if env -i PATH=/usr/bin:/bin NGINX_PORT=8080 BACKEND_HOST=backend BACKEND_PORT=http sh "$script" >/dev/null 2>&1; then
        echo "FAIL: accepted BACKEND_PORT=http"; ok=1
    else
        echo "PASS refuses a non-numeric BACKEND_PORT"
    fi
    if out="$(env -i PATH=/usr/bin:/bin NGINX_PORT=80 BACKEND_HOST=backend BACKEND_PORT=8000 sh "$script" 2>&1)"; then
        echo "PASS starts with BACKEND_HOST set: $out"
    else
        echo "FAIL: refused a valid environment: $out"; ok=1
    fi
    return $ok
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
step "frontend: image entrypoint check" frontend_entrypoint_check
step "e2e: scripts/app-e2e.sh" bash "$APP_ROOT/scripts/app-e2e.sh"

# Totals over every runner: pytest, vitest, the e2e checks, the entrypoint
# checks, and each lint step counted as one check.
count_tests() { # runs in a subshell (process substitution): lenient parsing
    set +e +o pipefail
    local passed=0 failed=0 f p x
    for f in "$WORK"/step-*.log; do
        [[ -f "$f" ]] || continue
        # pytest: "===== 71 passed, 1 failed in 12.3s ====="
        p="$(grep -E '^=+ .*(passed|failed).* in [0-9.]+s' "$f" | tail -n 1 || true)"
        if [[ -n "$p" ]]; then
            x="$(grep -oE '[0-9]+ passed' <<<"$p" | grep -oE '[0-9]+' || echo 0)"; passed=$((passed + x))
            x="$(grep -oE '[0-9]+ (failed|errors?)' <<<"$p" | awk '{s += $1} END {print s + 0}')"
            failed=$((failed + x))
        fi
        # vitest: "      Tests  21 passed (21)" / "Tests  1 failed | 20 passed (21)"
        p="$(sed 's/\x1b\[[0-9;]*m//g' "$f" | grep -E '^ +Tests +' | tail -n 1 || true)"
        if [[ -n "$p" ]]; then
            x="$(grep -oE '[0-9]+ passed' <<<"$p" | grep -oE '[0-9]+' || echo 0)"; passed=$((passed + x))
            x="$(grep -oE '[0-9]+ failed' <<<"$p" | grep -oE '[0-9]+' || echo 0)"; failed=$((failed + x))
        fi
        # e2e: "e2e: 23 passed, 0 failed"
        p="$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$f" | tail -n 1 || true)"
        if [[ -n "$p" ]]; then
            x="$(awk '{print $2}' <<<"$p")"; passed=$((passed + x))
            x="$(awk '{print $4}' <<<"$p")"; failed=$((failed + x))
        fi
    done
    echo "$passed $failed"
}
read -r T_PASSED T_FAILED < <(count_tests)
for i in "${!RESULTS[@]}"; do
    case "${RESULTS[$i]}" in
        *"lint: "*|*"entrypoint check"*)
            if [[ "${RESULTS[$i]}" == ok* ]]; then T_PASSED=$((T_PASSED + 1)); else T_FAILED=$((T_FAILED + 1)); fi ;;
    esac
done
# A failed step whose runner printed no count (crash, install error) still fails the run.
if [[ $FAILURES -gt 0 && $T_FAILED -eq 0 ]]; then T_FAILED=$FAILURES; fi

echo
echo "app-test summary ($((SECONDS - STARTED))s):"
printf '  %s\n' "${RESULTS[@]}"
echo "app-test: $T_PASSED passed, $T_FAILED failed"
[[ $FAILURES -eq 0 ]]
