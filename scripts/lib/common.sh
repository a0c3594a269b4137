# shellcheck shell=bash
# Source me. What every script of this repository shares (one copy of each):
#   log TEXT...                  a time-stamped progress line on stderr, prefixed by the script's name
#   die TEXT...                  log TEXT as an error and exit 1
#   wait_for WHAT SECONDS CMD... run CMD until it succeeds, at most SECONDS; die naming WHAT if it
#                                never does (a script may define wait_for_hook WHAT, called after
#                                each failed try, e.g. to die early when WHAT's process exited)
#   apt_install PACKAGE...       install Debian packages that are missing (apt-get update once, quietly)
# and exports TOOLS_DIR: where offline/tools.sh puts the toolchain it builds (and local-cluster.sh
# its state), outside the clone so every clone on this machine reuses one build.
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/travel-app/tools}"
_common_name=$(basename "${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}" .sh)

log() { printf '[%s %s] %s\n' "$_common_name" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

wait_for() {
    local what=$1 limit=$2 deadline=$((SECONDS + $2))
    shift 2
    until "$@" >/dev/null 2>&1; do
        ! declare -F wait_for_hook >/dev/null || wait_for_hook "$what"
        [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${limit}s waiting for $what"
        sleep 0.2
    done
}

apt_install() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} (Debian)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
