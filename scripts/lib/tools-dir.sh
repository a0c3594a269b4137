# shellcheck shell=bash
# Source me. Where offline/tools.sh puts the toolchain it builds (and local-cluster.sh its state):
# outside the clone, so every clone on this machine reuses one build (~1.5 GB, ~55 min cold on
# 2 cores; CI runs on a fresh clone each time). Override with TOOLS_DIR.
export TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/travel-app/tools}"
