#!/usr/bin/env bash
# How fast the real engine drives our stack, against kubectl on the same objects, in one run:
#   * no-change `pulumi preview` of the full stack with four ways of starting the program:
#       maven       runtime java without options: `mvn compile exec:java`, twice per preview
#       jar         the default, as every caller of scripts/pulumi-env.sh gets it: Pulumi.yaml's
#                   `java -jar target/travel-app.jar` through offline/java/java (C1 only, the
#                   class-data-sharing archive target/travel-app.jsa)
#       jar-plain   the same jar without those options (TRAVEL_APP_FAST_JVM=0: the default before)
#       jar-c1      the same jar with only -XX:TieredStopAtLevel=1 (no archive)
#   * the baseline: `kubectl apply --dry-run=server` of the same 30 objects (read from the state),
#     and the server-side-apply variant (`--server-side`, which is what the provider does)
#   * `pulumi up` from empty, a replica change (2 -> 3 backend pods) and `pulumi destroy`
# Rounds are interleaved (every variant once per round) so machine noise hits all of them; the
# medians and their ratios to kubectl are printed last. Every preview must plan no change.
#
# Usage: scripts/stack-bench.sh [ROUNDS]   (default 5). Runs on a private local cluster
# (its own LOCAL_CLUSTER_DIR, ports offset by STACK_BENCH_PORT_OFFSET, default 3000: another
# private cluster on this machine may hold those) with a throw-away backend; needs the tools of
# offline/tools.sh.
# STACK_BENCH_CLASSLIST=offline/cds/travel-app.classlist also records the classes that the host's two JVMs
# load (-XX:DumpLoadedClassList) into that file, the list `mvn package` builds the
# class-data-sharing archive from, and rebuilds the jar and archive before the timed rounds.
# STACK_BENCH_PROFILE=FILE writes the `--logtostderr -v=7` log of one more default preview there.
# STACK_BENCH_TRY="JVM OPTIONS" adds a variant `jar-try`: the default's options plus these.
# STACK_BENCH_OTHER_BIN=DIR adds a variant `jar-other-bin`: the default with DIR first on PATH, a
# directory holding another build of `pulumi` and the `pulumi-language-java` beside it (the CLI
# takes its language host from its own directory), e.g. the tools of another commit.
# STACK_BENCH_MAVEN=0 leaves out the (slow) maven variant, STACK_BENCH_PLAIN=0 jar-plain and jar-c1
# (more rounds in the same time for the others).
set -Euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
rounds=${1:-5}
case "$rounds" in '' | *[!0-9]* | 0) echo "stack-bench: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2 ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/stack-bench.XXXXXX")
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

cleanup() {
    (cd "$work/jar" 2>/dev/null && pulumi destroy --yes --skip-preview --stack bench --non-interactive >/dev/null 2>&1)
    scripts/local-cluster.sh down >/dev/null 2>&1
    rm -rf "$work"
}

offline/tools.sh pulumi pulumi-java kubernetes-provider random-provider control-plane kwok >/dev/null ||
    die "offline/tools.sh could not build the tools"
export LOCAL_CLUSTER_DIR="$work/cluster" LOCAL_CLUSTER_PORT_OFFSET="${STACK_BENCH_PORT_OFFSET:-3000}"
export KUBECONFIG="$work/cluster/kubeconfig"
# The engine, the providers and the API server are what is measured, not containers: kwok nodes
# keep these numbers comparable with the earlier ones and leave the machine's real node alone.
export LOCAL_CLUSTER_NODE=kwok
trap cleanup EXIT
export PULUMI_BACKEND_URL="file://$work/state"
PULUMI_CONFIG_PASSPHRASE="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export PULUMI_CONFIG_PASSPHRASE
mkdir -p "$work/state"
# shellcheck source=scripts/pulumi-env.sh
source scripts/pulumi-env.sh
log "private local cluster (API port $LOCAL_CLUSTER_API_PORT)"
scripts/local-cluster.sh up >/dev/null || die "the local cluster did not start"

# now_s: seconds since the epoch with milliseconds
now_s() { date +%s.%N | cut -c1-14; }
# timed NAME CMD... : runs CMD, appends "NAME seconds" to $work/times, fails the bench if CMD fails
timed() {
    local name=$1 start end; shift
    start=$(now_s)
    "$@" >"$work/last.out" 2>&1 || { tail -n 20 "$work/last.out" >&2; die "$name: '$*' failed"; }
    end=$(now_s)
    echo "$name $(echo "$end - $start" | bc)" >>"$work/times"
}

log "building target/travel-app.jar"
timed "mvn package (warm Maven, no tests)" mvn -q -B -ntp package -DskipTests

# Three copies of the project that differ only in how Pulumi starts the program.
mkdir -p "$work/jar" "$work/maven"
sed "s#binary: target/travel-app.jar#binary: $repo/target/travel-app.jar#" Pulumi.yaml >"$work/jar/Pulumi.yaml"
sed '/^  options:/,$d' Pulumi.yaml >"$work/maven/Pulumi.yaml"
cp -r pom.xml src sdks "$work/maven/"
# Without this machine's encryption salt, which belongs to another state's passphrase.
for dir in jar maven; do grep -v '^encryptionsalt:' Pulumi.dev.yaml >"$work/$dir/Pulumi.bench.yaml"; done
pv() { (cd "$work/$1" && shift && pulumi "$@" --stack bench --non-interactive); }

(cd "$work/jar" && pulumi stack init bench --non-interactive >/dev/null) || die "stack init"
log "pulumi up from empty (jar)"
timed "pulumi up from empty" pv jar up --yes --skip-preview
python3 - "$work" <<'PY' || die "reading the state"
import json, subprocess, sys
work = sys.argv[1]
SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value
def unwrap(v):
    if isinstance(v, dict):
        if SIG in v:
            return unwrap(json.loads(v["plaintext"]))
        return {k: unwrap(x) for k, x in v.items()}
    if isinstance(v, list):
        return [unwrap(x) for x in v]
    return v
state = json.loads(subprocess.run(["pulumi", "stack", "export", "--show-secrets", "--stack", "bench"],
                                  cwd=f"{work}/jar", check=True, capture_output=True, text=True).stdout)
items = [unwrap(r["inputs"]) for r in state["deployment"]["resources"]
         if r["type"].startswith("kubernetes:") and r.get("custom")]
with open(f"{work}/objects.json", "w") as out:
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, out)
print(len(items), file=open(f"{work}/objects.count", "w"))
PY
chmod 600 "$work/objects.json"
log "$(cat "$work/objects.count") Kubernetes objects exported for kubectl; warm-up previews"
pv maven preview --expect-no-changes >/dev/null 2>&1 || die "warm-up preview (maven) planned changes or failed"
pv jar preview --expect-no-changes >/dev/null 2>&1 || die "warm-up preview (jar) planned changes or failed"
if [ -n "${STACK_BENCH_CLASSLIST:-}" ]; then
    # The packages query first (its own JVM), then a whole preview, whose program JVM overwrites
    # the packages JVM's list; merged in load order without duplicates. No archive while listing.
    TRAVEL_APP_FAST_JVM=0 JDK_JAVA_OPTIONS="-Xshare:off -XX:DumpLoadedClassList=$work/packages.classlist" \
        java -cp "$repo/target/travel-app.jar" com.pulumi.bootstrap.internal.Main packages >/dev/null ||
        die "the packages query failed"
    TRAVEL_APP_FAST_JVM=0 JDK_JAVA_OPTIONS="-XX:TieredStopAtLevel=1 -Xshare:off -XX:DumpLoadedClassList=$work/program.classlist" \
        pv jar preview --expect-no-changes >/dev/null 2>&1 || die "class-listing preview failed"
    awk '!seen[$0]++' "$work/packages.classlist" "$work/program.classlist" >"$STACK_BENCH_CLASSLIST"
    log "$(wc -l <"$STACK_BENCH_CLASSLIST") classes listed in $STACK_BENCH_CLASSLIST; rebuilding the jar and archive"
    mvn -q -B -ntp package -DskipTests >/dev/null || die "mvn package after listing the classes"
    pv jar preview --expect-no-changes >/dev/null 2>&1 || die "warm-up preview (jar, new archive) failed"
fi
[ -f "$repo/target/travel-app.jsa" ] || log "WARNING: no target/travel-app.jsa: the jar variant runs without an archive"

for ((round = 1; round <= rounds; round++)); do
    log "round $round/$rounds"
    [ "${STACK_BENCH_MAVEN:-1}" = 0 ] || timed "preview maven" pv maven preview --expect-no-changes
    timed "preview jar" pv jar preview --expect-no-changes
    if [ "${STACK_BENCH_PLAIN:-1}" != 0 ]; then
        TRAVEL_APP_FAST_JVM=0 timed "preview jar-plain" pv jar preview --expect-no-changes
        TRAVEL_APP_FAST_JVM=0 JDK_JAVA_OPTIONS=-XX:TieredStopAtLevel=1 timed "preview jar-c1" pv jar preview --expect-no-changes
    fi
    if [ -n "${STACK_BENCH_TRY:-}" ]; then
        JDK_JAVA_OPTIONS="$STACK_BENCH_TRY" timed "preview jar-try" pv jar preview --expect-no-changes
    fi
    if [ -n "${STACK_BENCH_OTHER_BIN:-}" ]; then
        PATH="$STACK_BENCH_OTHER_BIN:$PATH" timed "preview jar-other-bin" pv jar preview --expect-no-changes
    fi
    timed "kubectl apply --dry-run=server" kubectl apply --dry-run=server -f "$work/objects.json"
    timed "kubectl apply --server-side --dry-run=server" kubectl apply --server-side --force-conflicts \
        --field-manager=stack-bench --dry-run=server -f "$work/objects.json"
done

if [ -n "${STACK_BENCH_PROFILE:-}" ]; then
    # One more default preview with the engine's timestamped log, for where the time goes.
    start=$(now_s)
    pv jar preview --expect-no-changes --logtostderr -v=7 >"$STACK_BENCH_PROFILE" 2>&1 || die "profiled preview failed"
    log "profiled preview: $(echo "$(now_s) - $start" | bc) s, log in $STACK_BENCH_PROFILE (started $start)"
fi

log "replica change and destroy (jar)"
pv jar config set backendReplicas 3 >/dev/null
timed "pulumi up: backendReplicas 2 -> 3" pv jar up --yes --skip-preview
grep -q "1 updated" "$work/last.out" || die "the replica change did not update exactly one resource"
timed "pulumi destroy" pv jar destroy --yes --skip-preview
grep -q "deleted" "$work/last.out" || die "destroy deleted nothing"

load=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$work/times" "$rounds" "$load" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, seconds = line.rsplit(" ", 1)
    times.setdefault(name, []).append(float(seconds))
base = statistics.median(times["kubectl apply --dry-run=server"])
print(f"\nstack-bench: {sys.argv[2]} interleaved rounds; load average at the end {sys.argv[3]}")
print("| what | median s | runs | x kubectl apply --dry-run=server |")
print("| --- | ---: | ---: | ---: |")
for name, values in times.items():
    med = statistics.median(values)
    runs = " ".join(f"{v:.1f}" for v in values)
    ratio = f"{med / base:.2f}" if name.startswith(("preview", "kubectl")) else "-"
    print(f"| {name} | {med:.2f} | {runs} | {ratio} |")
PY
