# shellcheck shell=bash
# Source me (from the repository root). `render_stack STACK_FILE OUT_DIR WORK_DIR` writes every
# Kubernetes object that the stack of STACK_FILE (e.g. Pulumi.dev.yaml) declares, one YAML file
# each, into OUT_DIR, without a cluster: a `pulumi up` of a throw-away copy of that stack whose
# default kubernetes provider has `renderYamlToDirectory` set, so the provider writes the objects
# it would send to the API server instead of sending them (they are exactly what a deploy applies,
# after the program's own logic, with the generated secrets filled in).
#
# Needs the tools of `offline/tools.sh pulumi pulumi-java kubernetes-provider random-provider`, a
# current target/travel-app.jar (`mvn -q -B package -DskipTests`) and a `python3` with PyYAML first
# on PATH (scripts/manifest-scan.sh puts its virtualenv there). WORK_DIR (created by the
# caller, removed by the caller) holds the copy of the project, a private file:// state with a
# random passphrase and the log; nothing in the repository or any other state is touched.
#
# The provider writes Secrets with their generated values in plain text. Before returning, every
# value of every Secret in OUT_DIR is replaced by "redacted" (base64 in `data`), so OUT_DIR can be
# scanned, kept or printed; the values never leave WORK_DIR's render step.

# render_stack STACK_FILE OUT_DIR WORK_DIR; prints one line of progress, returns non-zero with the
# end of Pulumi's log (which shows secrets only as [secret]) when the render fails.
render_stack() {
    local stack_file=$1 out=$2 work=$3 repo rc=0
    repo=$(pwd)
    [ -f "$stack_file" ] || { echo "render_stack: no stack file $stack_file" >&2; return 2; }
    [ -f target/travel-app.jar ] || { echo "render_stack: no target/travel-app.jar (mvn -q -B package -DskipTests)" >&2; return 2; }
    mkdir -p "$work/project" "$work/state" "$work/raw" "$out"
    # The program itself is the repository's jar; only the project and stack files are copies.
    sed "s#binary: target/travel-app.jar#binary: $repo/target/travel-app.jar#" Pulumi.yaml >"$work/project/Pulumi.yaml"
    # Without this machine's encryption salt, which belongs to another state's passphrase.
    grep -v '^encryptionsalt:' "$stack_file" >"$work/project/Pulumi.render.yaml"
    printf '  kubernetes:renderYamlToDirectory: %s\n' "$work/raw" >>"$work/project/Pulumi.render.yaml"
    (
        export PULUMI_BACKEND_URL="file://$work/state"
        PULUMI_CONFIG_PASSPHRASE="render-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
        export PULUMI_CONFIG_PASSPHRASE
        unset PULUMI_CONFIG_PASSPHRASE_FILE
        # shellcheck source=scripts/pulumi-env.sh
        source "$repo/scripts/pulumi-env.sh"
        cd "$work/project" || exit 1
        pulumi stack init render --non-interactive >"$work/render.log" 2>&1 &&
            pulumi up --yes --skip-preview --stack render --non-interactive >>"$work/render.log" 2>&1
    ) || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "render_stack: pulumi up (renderYamlToDirectory) of $stack_file failed:" >&2
        tail -n 25 "$work/render.log" >&2
        rm -rf "$work/raw"
        return 1
    fi
    python3 - "$work/raw" "$out" <<'PY' || { rm -rf "$work/raw"; return 1; }
import base64, pathlib, sys, yaml
raw, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
count = 0
for source in sorted(raw.glob("*/*.yaml")):  # 0-crd/ and 1-manifest/
    docs = [d for d in yaml.safe_load_all(source.read_text()) if d]
    for doc in docs:
        if doc.get("kind") == "Secret":
            doc["data"] = {k: base64.b64encode(b"redacted").decode() for k in doc.get("data") or {}}
            if "stringData" in doc:
                doc["stringData"] = {k: "redacted" for k in doc["stringData"]}
    (out / source.name).write_text(yaml.safe_dump_all(docs, sort_keys=False))
    count += len(docs)
print(f"render_stack: {count} objects")
PY
    rm -rf "$work/raw"
}
