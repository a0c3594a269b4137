# shellcheck shell=bash
# Shared by scripts/db-backup.sh and scripts/db-restore.sh (source it; set DBJOB_SCRIPT first):
# where to work (a kube context and the stack's namespace), and one Job made from the
# postgres-backup CronJob's own pod template, so that a manual backup, a listing and a restore
# run with exactly what every scheduled backup runs with: the database image, the password file
# of the app Secret, the backup volume and the network policy that lets them reach PostgreSQL
# (backup/DatabaseBackup.java). The password is never read here, only by the pod.

DBJOB_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DBJOB_CRONJOB=postgres-backup
DBJOB_NAMESPACE=""
DBJOB_CONTEXT=""
DBJOB_TIMEOUT=1800

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
kc() { kubectl ${DBJOB_CONTEXT:+--context "$DBJOB_CONTEXT"} -n "$DBJOB_NAMESPACE" "$@"; }

# dbjob_option NAME VALUE: takes one of the common options; returns 1 for a missing value.
dbjob_option() {
    [ -n "${2:-}" ] && [ "${2#-}" = "$2" ] || return 1
    case "$1" in
        --namespace) DBJOB_NAMESPACE=$2 ;;
        --context) DBJOB_CONTEXT=$2 ;;
        --timeout) [[ $2 =~ ^[1-9][0-9]{0,5}$ ]] || return 1; DBJOB_TIMEOUT=$2 ;;
    esac
}

# dbjob_target: the namespace (--namespace, else the selected stack's `namespace` output), a
# cluster that answers, and the CronJob in it; says where it works.
dbjob_target() {
    command -v kubectl >/dev/null || die "kubectl is not on PATH"
    command -v python3 >/dev/null || die "python3 is not on PATH"
    if [ -z "$DBJOB_NAMESPACE" ]; then
        command -v pulumi >/dev/null ||
            die "no --namespace given, and no pulumi on PATH to read the stack's namespace output; pass --namespace"
        DBJOB_NAMESPACE=$(cd "$DBJOB_REPO" && pulumi stack output namespace --non-interactive 2>/dev/null) ||
            die "no --namespace given, and 'pulumi stack output namespace' failed (no stack selected, or" \
                "PULUMI_BACKEND_URL not set as for scripts/deploy.sh: docs/operations.md); pass --namespace"
    fi
    local context err
    context=$(kubectl ${DBJOB_CONTEXT:+--context "$DBJOB_CONTEXT"} config current-context 2>/dev/null) || context="(none)"
    [ -n "$DBJOB_CONTEXT" ] && context=$DBJOB_CONTEXT
    if ! err=$(kc get cronjob "$DBJOB_CRONJOB" -o name 2>&1); then
        case "$err" in
            *NotFound*) die "no CronJob $DBJOB_CRONJOB in namespace $DBJOB_NAMESPACE (kube context $context):" \
                "backups are off there (backupEnabled=false) or the stack is not deployed there" ;;
            *) die "the cluster of kube context $context does not answer: $(head -n 1 <<<"$err")" ;;
        esac
    fi
    log "kube context $context, namespace $DBJOB_NAMESPACE"
}

# dbjob_env NAME: a plain environment value of the CronJob's container (PGDATABASE, BACKUP_DIR...)
dbjob_env() {
    kc get cronjob "$DBJOB_CRONJOB" -o jsonpath="{.spec.jobTemplate.spec.template.spec.containers[0].env[?(@.name==\"$1\")].value}"
}

# dbjob_wait_idle: a backup in progress would race a restore, or write the same volume.
dbjob_wait_idle() {
    local active deadline=$((SECONDS + DBJOB_TIMEOUT))
    while active=$(kc get jobs -l "app.kubernetes.io/name=$DBJOB_CRONJOB" \
            -o jsonpath='{range .items[?(@.status.active)]}{.metadata.name}{" "}{end}') && [ -n "$active" ]; do
        [ $SECONDS -lt $deadline ] || die "Job(s) $active still running after ${DBJOB_TIMEOUT}s"
        log "waiting for Job(s) $active to finish first"
        sleep 5
    done
}

# dbjob_job_json NAME COMPONENT [SCRIPT_ARG...]: the Job, from the CronJob's template. With
# arguments, the container runs restore.sh (beside backup.sh) with them, the backup volume
# read-only; without, it is a backup like a scheduled one. No retry: a person is watching.
dbjob_job_json() {
    kc get cronjob "$DBJOB_CRONJOB" -o json | python3 -c '
import json, os, sys
name, component, timeout, script, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
template = json.load(sys.stdin)["spec"]["jobTemplate"]
labels = {**template.get("metadata", {}).get("labels", {}), "app.kubernetes.io/component": component}
spec = {**template["spec"], "backoffLimit": 0, "activeDeadlineSeconds": timeout, "ttlSecondsAfterFinished": 86400}
spec["template"]["metadata"]["labels"] = {**spec["template"]["metadata"].get("labels", {}), **labels}
container = spec["template"]["spec"]["containers"][0]
if args:
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    container["command"] = ["sh", os.path.join(os.path.dirname(container["command"][-1]), "restore.sh"), *args]
    for mount in container.get("volumeMounts", []):
        if mount["mountPath"] == env.get("BACKUP_DIR"):
            mount["readOnly"] = True
print(json.dumps({"apiVersion": "batch/v1", "kind": "Job", "spec": spec,
                  "metadata": {"name": name, "labels": labels, "annotations": {"travel-app/created-by": script}}}))
' "$@"
}

# dbjob_run NAME COMPONENT [SCRIPT_ARG...]: creates the Job, follows it to the end with progress
# lines, prints its log (indented) and sets DBJOB_LOG to it and DBJOB_SECONDS to how long it took.
# Deletes it when it succeeded; keeps a failed one (a day) for its log. Returns 1 on failure.
dbjob_run() {
    local name=$1 json state last="" phase reason started=$SECONDS deadline=$((SECONDS + DBJOB_TIMEOUT + 60))
    json=$(dbjob_job_json "$name" "$2" "$((DBJOB_TIMEOUT))" "$DBJOB_SCRIPT" "${@:3}") || die "cannot read CronJob $DBJOB_CRONJOB"
    kc create -f - -o name <<<"$json" >/dev/null || die "the API server refused Job $name (see above)"
    log "Job $name created"
    while :; do
        state=$(kc get job "$name" -o jsonpath='{.status.succeeded}/{.status.failed}')
        [ "$state" = "1/" ] && break
        case "$state" in */[1-9]*) break ;; esac
        phase=$(kc get pods -l "job-name=$name" -o jsonpath='{.items[0].status.phase}' 2>/dev/null)
        reason=$(kc get pods -l "job-name=$name" -o jsonpath='{.items[0].status.containerStatuses[0].state.waiting.reason}' 2>/dev/null)
        if [ "${phase:-none}/$reason" != "$last" ]; then
            last="${phase:-none}/$reason"
            log "pod: ${phase:-not created yet}${reason:+ ($reason)}"
        fi
        case "$reason" in ErrImageNeverPull | ImagePullBackOff | ErrImagePull | CreateContainerConfigError | InvalidImageName)
            log "the pod cannot start: $reason; Job $name is kept"; DBJOB_SECONDS=$((SECONDS - started)); return 1 ;;
        esac
        if [ -z "$phase" ] && [ $((SECONDS - started)) -ge 60 ]; then
            kc get events --field-selector "involvedObject.name=$name" -o jsonpath='{range .items[*]}{.message}{"\n"}{end}' | tail -n 3
            log "no pod after 60 s (events above); Job $name is kept"; DBJOB_SECONDS=$((SECONDS - started)); return 1
        fi
        [ $SECONDS -lt $deadline ] || { log "still not finished after ${DBJOB_TIMEOUT}s; Job $name is kept"; return 1; }
        sleep 1
    done
    DBJOB_SECONDS=$((SECONDS - started))
    DBJOB_LOG=$(kc logs "job/$name" 2>&1)
    sed 's/^/    | /' <<<"$DBJOB_LOG"
    if [ "$state" = "1/" ]; then
        kc delete job "$name" --wait=false >/dev/null 2>&1
        return 0
    fi
    log "Job $name failed after ${DBJOB_SECONDS}s; kept a day for its log: kubectl -n $DBJOB_NAMESPACE logs job/$name"
    return 1
}

# dbjob_name PREFIX: a Job name that sorts by time, e.g. postgres-restore-20261124-031500
dbjob_name() { printf '%s-%s' "$1" "$(date -u +%Y%m%d-%H%M%S)"; }
