# shellcheck shell=bash
# Source me. What every script of this repository shares (one copy of each):
#   log TEXT...                  a time-stamped progress line on stderr, prefixed by the script's name
#   die TEXT...                  log TEXT as an error and exit 1
#   wait_for SECONDS WHAT CMD... run CMD until it succeeds, at most SECONDS; die naming WHAT if it never does
#   apt_install PACKAGE...       install Debian packages that are missing (apt-get update once, quietly)
# and exports TOOLS_DIR: where offline/tools.sh puts the toolchain it builds (and local-cluster.sh
# its state), outside the clone so every clone on this machine reuses one build.
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/travel-app/tools}"
_common_name=$(basename "${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}" .sh)

log() { printf '[%s %s] %s\n' "$_common_name" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

wait_for() {
    local limit=$1 what=$2 deadline=$((SECONDS + $1))
    shift 2
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "$what: not after ${limit}s"
        sleep 1
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
