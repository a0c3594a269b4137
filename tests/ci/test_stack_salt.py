"""scripts/deploy.sh against a FRESH state while the working tree's Pulumi.dev.yaml holds the
encryption salt that an earlier `pulumi` command (another state, another passphrase) wrote there
(issue 14, item 3).

The flow is real where the salt matters: a copy of the repository (git, the committed stack
files, deploy.sh, pulumi-env.sh, scripts/lib/), the real Pulumi CLI of offline/tools.sh and
throw-away file:// backends. Only what needs a program and a cluster is stood in for: tools.sh,
`mvn package`, kubectl's current context and `pulumi up`/`preview` (recorded, not run).
Skipped when the Pulumi CLI is not built (offline/tools.sh pulumi)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = Path(os.environ.get("TOOLS_DIR", Path.home() / ".cache" / "travel-app" / "tools"))
REAL_PULUMI = TOOLS_DIR / "bin" / "pulumi"

pytestmark = pytest.mark.skipif(not REAL_PULUMI.exists(), reason=f"no Pulumi CLI at {REAL_PULUMI} (offline/tools.sh pulumi)")


def write_exe(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def sandbox(tmp_path: Path) -> dict:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.local.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("deploy.sh", "pulumi-env.sh"):
        shutil.copy(ROOT / "scripts" / name, repo / "scripts" / name)
    shutil.copytree(ROOT / "scripts" / "lib", repo / "scripts" / "lib")
    (repo / "offline").mkdir()
    write_exe(repo / "offline" / "tools.sh", "#!/bin/sh\nexit 0\n")  # the real CLI is already built
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "copy"], check=True)

    # $TOOLS_DIR/bin as pulumi-env.sh puts it first on PATH: the real CLI, except the two
    # commands that would run the Java program against a cluster.
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    write_exe(tools / "bin" / "pulumi", f"""#!/bin/sh
case "$1" in
  up|preview)
    # Not run (a program and a cluster): only their first step that needs the salt, a secrets
    # manager for the stack's config, done for real by encrypting a value (then removed).
    stack=""; prev=""; for a in "$@"; do [ "$prev" = --stack ] && stack=$a; prev=$a; done
    {REAL_PULUMI} config set --secret travel-app:secretsProbe x --stack "$stack" --non-interactive || exit 1
    {REAL_PULUMI} config rm travel-app:secretsProbe --stack "$stack" --non-interactive || exit 1
    echo "pulumi $* (not run by the test)"; exit 0 ;;
esac
if [ "$1 $2" = "stack output" ]; then echo '{{}}'; exit 0; fi
exec {REAL_PULUMI} "$@"
""")
    write_exe(tools / "bin" / "kubectl", "#!/bin/sh\n[ \"$1 $2\" = 'config current-context' ] && echo test-context\nexit 0\n")
    fakes = tmp_path / "fakebin"
    fakes.mkdir()
    write_exe(fakes / "mvn", "#!/bin/sh\nexit 0\n")

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "KUBECONFIG", "TRAVEL_APP_", "LOCAL_CLUSTER_"))}
    env.update(
        HOME=str(home),
        PATH=f"{fakes}{os.pathsep}{tools / 'bin'}{os.pathsep}{env['PATH']}",
        TOOLS_DIR=str(tools),
        TRAVEL_APP_HOME=str(tmp_path / "travel-app-home"),  # fresh: deploy.sh makes state and passphrase
        PULUMI_HOME=str(tmp_path / "pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK="true",
    )
    return {"repo": repo, "env": env, "tmp": tmp_path}


def pulumi(sb: dict, *args: str, state: str, passphrase: str | None = None, passphrase_file: Path | None = None,
           **extra: str) -> subprocess.CompletedProcess:
    env = {**sb["env"], "PULUMI_BACKEND_URL": f"file://{state}", **extra}
    if passphrase is not None:
        env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    if passphrase_file is not None:
        env["PULUMI_CONFIG_PASSPHRASE_FILE"] = str(passphrase_file)
    return subprocess.run([str(REAL_PULUMI), *args, "--non-interactive"], cwd=sb["repo"], env=env,
                          capture_output=True, text=True, timeout=120)


def salt_of(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("encryptionsalt:"):
            return line.split(":", 1)[1].strip()
    return None


def plant_foreign_salt(sb: dict) -> tuple[Path, str]:
    """What a user's `pulumi` command by hand does: a stack `dev` in another state with another
    passphrase, whose salt Pulumi writes into the working tree's Pulumi.dev.yaml."""
    other = sb["tmp"] / "other-state"
    other.mkdir()
    result = pulumi(sb, "stack", "select", "dev", "--create", state=str(other), passphrase="another-passphrase")
    assert result.returncode == 0, result.stderr
    salt = salt_of(sb["repo"] / "Pulumi.dev.yaml")
    assert salt, "pulumi stack select --create wrote no salt into Pulumi.dev.yaml"
    return other, salt


def deploy(sb: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/deploy.sh"], cwd=sb["repo"], env=sb["env"], capture_output=True,
                          text=True, timeout=300)


def deploy_state(sb: dict) -> dict:
    home = sb["tmp"] / "travel-app-home"
    return {"state": str(home / "state"), "passphrase_file": home / "passphrase"}


def test_deploy_creates_the_stack_in_a_fresh_state_despite_a_foreign_salt_and_keeps_that_salt(sandbox):
    sb = sandbox
    other, foreign = plant_foreign_salt(sb)

    result = deploy(sb)
    out = result.stdout + result.stderr
    assert "could not create secrets manager" not in out, out
    assert result.returncode == 0, out
    assert "Moved it aside" in out and "does not exist yet" in out, out  # the user is told

    ls = pulumi(sb, "stack", "ls", "--json", **deploy_state(sb))
    assert '"name": "dev"' in ls.stdout, ls.stdout + ls.stderr
    # The committed file is left as committed.
    committed = subprocess.run(["git", "-C", str(sb["repo"]), "show", "HEAD:Pulumi.dev.yaml"],
                               capture_output=True, text=True, check=True).stdout
    assert (sb["repo"] / "Pulumi.dev.yaml").read_text(encoding="utf-8") == committed

    # The foreign salt is not lost: a copy of the file as it was ...
    backups = list((sb["repo"] / ".git" / "travel-app-salts").glob("Pulumi.dev.yaml.*"))
    assert len(backups) == 1 and salt_of(backups[0]) == foreign
    # ... and the state it came from still encrypts with it (pulumi-env.sh's fallback to the
    # state's salt), writing that very salt back.
    probe = pulumi(sb, "config", "set", "--secret", "travel-app:probe", "x", "--stack", "dev", state=str(other),
                   passphrase="another-passphrase", PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER="true")
    assert probe.returncode == 0, probe.stderr
    assert salt_of(sb["repo"] / "Pulumi.dev.yaml") == foreign


def test_deploy_moves_a_foreign_salt_away_from_an_existing_stack_so_it_can_encrypt_again(sandbox):
    sb = sandbox
    first = deploy(sb)
    assert first.returncode == 0, first.stdout + first.stderr
    plant_foreign_salt(sb)  # `dev` exists in the deploy state too: select passes, encryption would not

    result = deploy(sb)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "was created with another salt" in out, out
    assert salt_of(sb["repo"] / "Pulumi.dev.yaml") is None
    # What `pulumi up` needs first, a secrets manager for the stack's config: with the state's salt.
    probe = pulumi(sb, "config", "set", "--secret", "travel-app:probe", "x", "--stack", "dev",
                   PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER="true", **deploy_state(sb))
    assert probe.returncode == 0, probe.stderr


def test_deploy_leaves_the_states_own_salt_alone(sandbox):
    sb = sandbox
    first = deploy(sb)
    assert first.returncode == 0, first.stdout + first.stderr
    # What a command by hand against the deploy state writes: that state's own salt.
    export = pulumi(sb, "stack", "export", "--stack", "dev", **deploy_state(sb))
    own = json.loads(export.stdout)["deployment"]["secrets_providers"]["state"]["salt"]
    with (sb["repo"] / "Pulumi.dev.yaml").open("a", encoding="utf-8") as stack_file:
        stack_file.write(f"encryptionsalt: {own}\n")

    result = deploy(sb)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Moved it aside" not in out, out
    assert not (sb["repo"] / ".git" / "travel-app-salts").exists()
