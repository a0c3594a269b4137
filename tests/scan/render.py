"""Every Kubernetes object a stack declares, rendered without a cluster by the kubernetes provider
itself: a `pulumi up` of a throw-away copy of the stack whose default kubernetes provider has
`renderYamlToDirectory` set, so the provider writes the objects it would send to the API server
instead of sending them (exactly what a deploy applies, after the program's own logic, with the
generated secrets filled in).

    tests/scan/.venv/bin/python tests/scan/render.py STACK_FILE OUT_DIR

Needs the tools of `offline/tools.sh pulumi pulumi-java kubernetes-provider random-provider` and a
current target/travel-app.jar (`mvn -q -B -ntp package -DskipTests`). The work directory holds the
copy of the project, a private file:// state with a random passphrase and the log; nothing in the
repository or any other state is touched. The provider writes Secrets with their generated values
in plain text: every value of every Secret is replaced by "redacted" (base64 in `data`) before a
file reaches OUT_DIR, so OUT_DIR can be scanned, kept or printed."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The stack the scan suite renders: the dev stack, whose objects .checkov.yaml's waivers name.
STACK_FILE = ROOT / os.environ.get("STACK_FILE", "Pulumi.dev.yaml")
REDACTED = "redacted"


class RenderError(Exception):
    pass


def pulumi_env(base: dict[str, str], log: Path) -> dict[str, str]:
    """The environment that scripts/pulumi-env.sh makes (our tools first on PATH, our providers
    installed as plugins, no update checks), on top of base."""
    with log.open("a", encoding="utf-8") as err:
        out = subprocess.run(["bash", "-c", 'source scripts/pulumi-env.sh >&2 && env -0'], cwd=ROOT, env=base,
                             stdout=subprocess.PIPE, stderr=err, check=True).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


def redact(doc: dict) -> dict:
    if doc.get("kind") == "Secret":
        doc["data"] = {key: base64.b64encode(REDACTED.encode()).decode() for key in doc.get("data") or {}}
        if "stringData" in doc:
            doc["stringData"] = {key: REDACTED for key in doc["stringData"]}
    return doc


def render_stack(stack_file: Path, out: Path, work: Path) -> int:
    """Writes each file the provider rendered into out, Secrets redacted; returns the object count."""
    if not stack_file.is_file():
        raise RenderError(f"no stack file {stack_file}")
    if not (ROOT / "target" / "travel-app.jar").is_file():
        raise RenderError("no target/travel-app.jar (mvn -q -B -ntp package -DskipTests)")
    project, state, raw, log = work / "project", work / "state", work / "raw", work / "render.log"
    for directory in (project, state, raw, out):
        directory.mkdir(parents=True, exist_ok=True)
    # The program itself is the repository's jar; only the project and stack files are copies.
    (project / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text().replace(
        "binary: target/travel-app.jar", f"binary: {ROOT / 'target' / 'travel-app.jar'}"))
    # Without this machine's encryption salt, which belongs to another state's passphrase.
    config = [line for line in stack_file.read_text().splitlines() if not line.startswith("encryptionsalt:")]
    config.append(f"  kubernetes:renderYamlToDirectory: {raw}")
    # A render reads nothing from a cluster: the API server's address, which a deploy reads from the
    # EndpointSlice default/kubernetes, is given as stack config can give it (an address of the
    # documentation range).
    if not any(line.strip().startswith("travel-app:apiServerEndpoints:") for line in config):
        config.append("  travel-app:apiServerEndpoints: 192.0.2.10:6443")
    (project / "Pulumi.render.yaml").write_text("\n".join(config) + "\n")
    base = {key: value for key, value in os.environ.items() if key != "PULUMI_CONFIG_PASSPHRASE_FILE"}
    base.update(PULUMI_BACKEND_URL=f"file://{state}", PULUMI_CONFIG_PASSPHRASE=f"render-{secrets.token_hex(12)}")
    try:
        env = pulumi_env(base, log)
        with log.open("a", encoding="utf-8") as output:
            for command in (["stack", "init", "render"], ["up", "--yes", "--skip-preview", "--stack", "render"]):
                subprocess.run(["pulumi", *command, "--non-interactive"], cwd=project, env=env, stdout=output,
                               stderr=subprocess.STDOUT, check=True)
        count = 0
        for source in sorted(raw.glob("*/*.yaml")):  # 0-crd/ and 1-manifest/
            docs = [redact(doc) for doc in yaml.safe_load_all(source.read_text()) if doc]
            (out / source.name).write_text(yaml.safe_dump_all(docs, sort_keys=False))
            count += len(docs)
        return count
    except subprocess.CalledProcessError as failed:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise RenderError(f"{' '.join(map(str, failed.cmd))} failed (Pulumi shows secrets only as [secret]):\n{tail}")
    finally:
        shutil.rmtree(raw, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="render.") as scratch:
        try:
            print(f"render: {render_stack(Path(sys.argv[1]).resolve(), Path(sys.argv[2]), Path(scratch))} objects")
        except RenderError as error:
            sys.exit(f"render: {error}")
