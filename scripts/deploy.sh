#!/usr/bin/env bash
# Deploys the Travel App stack with `pulumi up`: the one set-up-and-deploy command of README.md.
#
#   1. Builds what is missing: the Pulumi CLI, the Java language host and the kubernetes and
#      random providers (offline/tools.sh: pinned Go builds, minutes the first time, then cached).
#   2. Builds the program, target/travel-app.jar (`mvn package`), which Pulumi.yaml runs.
#   3. Targets the current kube context (stack dev). When there is none, starts the local cluster
#      of scripts/local-cluster.sh on this machine: a real node (containerd, kubelet, kube-proxy,
#      CoreDNS) running the images offline/images.sh builds here, and deploys stack `local`
#      (Pulumi.local.yaml: those images, never pulled; Grafana left out, it cannot be built here).
#   4. Keeps the state in $PULUMI_BACKEND_URL (default file://$HOME/.travel-app/state) encrypted
#      with a passphrase generated once into $HOME/.travel-app/passphrase (mode 600), unless
#      PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE is set.
#   5. Selects (or creates) the stack, runs `pulumi up --refresh --yes` (the refresh notices what
#      changed behind Pulumi's back, a local cluster that was stopped included), prints the
#      outputs and, on the local cluster, checks that frontendUrl serves the app.
#
# Usage: scripts/deploy.sh [--stack NAME] [--preview] [--local-cluster]
#   --stack NAME      stack to deploy (default: dev on a kube context, local on the local cluster;
#                     its settings are Pulumi.NAME.yaml)
#   --preview         run `pulumi preview` instead of `pulumi up`
#   --local-cluster   use the local cluster even when a kube context exists
set -Eeuo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
stack=""
action=up
force_local=0
while [ $# -gt 0 ]; do
    case "$1" in
        --stack) stack=${2:?--stack needs a name}; shift 2 ;;
        --preview) action=preview; shift ;;
        --local-cluster) force_local=1; shift ;;
        -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "deploy: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

# OpenJDK and Maven run the Pulumi program.
command -v mvn >/dev/null && command -v javac >/dev/null || apt_install openjdk-17-jdk-headless maven

log "step 1/5: Pulumi toolchain (offline/tools.sh)"
offline/tools.sh pulumi pulumi-java kubernetes-provider random-provider

log "step 2/5: the program, target/travel-app.jar (mvn package; unit tests are scripts/test.sh's job)"
# Maven leaves colour resets (ESC[0m) without a newline even in batch mode: keep the log readable.
mvn -q -B -ntp package -DskipTests 2>&1 | sed "s/\x1b\[[0-9;]*m//g"

state_dir=${TRAVEL_APP_HOME:-$HOME/.travel-app}
mkdir -p "$state_dir"
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$state_dir/state}
case "$PULUMI_BACKEND_URL" in file://*) mkdir -p "${PULUMI_BACKEND_URL#file://}" ;; esac
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    if [ ! -s "$state_dir/passphrase" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 > "$state_dir/passphrase")
        log "generated the state passphrase into $state_dir/passphrase (keep it: it decrypts the stack's secrets)"
    fi
    export PULUMI_CONFIG_PASSPHRASE_FILE="$state_dir/passphrase"
fi
log "step 3/5: cluster"
# Decided before scripts/pulumi-env.sh runs, which would point an unset KUBECONFIG at the local
# control plane whenever it is up, and so hide the user's own context.

current_context() {
    local kubectl
    for kubectl in kubectl "$TOOLS_DIR/bin/kubectl"; do
        if command -v "$kubectl" >/dev/null; then
            "$kubectl" config current-context 2>/dev/null
            return 0
        fi
    done
    # No kubectl anywhere: read the first kubeconfig's current-context line.
    local file=${KUBECONFIG:-$HOME/.kube/config}
    file=${file%%:*}
    [ -f "$file" ] && sed -n 's/^current-context: *//p' "$file" | tr -d '"' | head -n 1
    return 0
}
context=""
if [ "$force_local" = 0 ]; then
    context=$(current_context)
fi
if [ -n "$context" ]; then
    log "using the current kube context '$context'"
    export KUBECONFIG=${KUBECONFIG:-$HOME/.kube/config}
    local_cluster=0
    stack=${stack:-dev}
else
    if [ "$force_local" = 1 ]; then reason="--local-cluster given"; else reason="no kube context"; fi
    stack=${stack:-local}
    log "$reason: deploying stack '$stack' onto the LOCAL CLUSTER of scripts/local-cluster.sh:"
    log "a real node on this machine (containerd, kubelet, kube-proxy, CoreDNS); every pod is a real container"
    log "running an image built here (offline/images.sh). Not deployed: Grafana (no Grafana server can be built here)."
    offline/tools.sh control-plane node
    offline/images.sh build
    scripts/local-cluster.sh up
    KUBECONFIG=$(scripts/local-cluster.sh kubeconfig)
    export KUBECONFIG
    local_cluster=1
fi
# shellcheck source=scripts/pulumi-env.sh
source scripts/pulumi-env.sh

log "step 4/5: stack '$stack' in $PULUMI_BACKEND_URL"
# Pulumi writes this machine's passphrase salt into Pulumi.<stack>.yaml (at stack creation, and
# whenever it encrypts config without one). A salt belongs to one state and passphrase: one left
# there by a `pulumi` command against another state would stop `stack select --create` (and
# `up`) with "incorrect passphrase". prepare_stack_salt moves such a salt aside first (a copy of
# the file goes to .git/travel-app-salts/) and says so; strip_machine_salt keeps the salt out of
# a committed stack file at exit (the state keeps its own copy, which pulumi-env.sh has Pulumi
# read). See scripts/lib/stack-salt.sh and docs/operations.md, "The encryption salt".
# shellcheck source=scripts/lib/stack-salt.sh
source scripts/lib/stack-salt.sh
trap 'strip_machine_salt "$stack" log' EXIT
prepare_stack_salt "$stack" log
pulumi stack select "$stack" --create --non-interactive >/dev/null
strip_machine_salt "$stack" log

log "step 5/5: pulumi $action --refresh"
if [ "$action" = up ]; then
    pulumi up --refresh --yes --stack "$stack" --non-interactive
    log "deployed; stack outputs:"
    pulumi stack output --stack "$stack"
    if [ "$local_cluster" = 1 ]; then
        url=$(pulumi stack output frontendUrl --stack "$stack")
        if curl -fsS --max-time 10 "$url/" | grep -q '<div id="root">'; then
            log "the Travel App answers at $url (real containers on the local node); open it in a browser"
        else
            log "WARNING: $url did not serve the app yet; kubectl -n travel-app get pods" >&2
        fi
        log "kubectl: export KUBECONFIG=$KUBECONFIG; stop the cluster: scripts/local-cluster.sh down"
    fi
else
    pulumi preview --refresh --stack "$stack" --non-interactive
fi
