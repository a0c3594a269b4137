"""The backend under its container's conditions: the image's commands, a read-only root filesystem
with only the pod's /tmp emptyDir writable, UID/GID 10001, the database settings of the stack."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from . import BACKEND, procs

VENV = Path(os.environ.get("APP_VENV", BACKEND / ".venv"))

# Inside a private mount namespace: the root filesystem read-only except the writable dir, then
# the command as 10001. pyenv's interpreter lives under /root (mode 700), which UID 10001 cannot
# traverse; inside the namespace only, it is exposed through a tmpfs /root.
_LIKE_CONTAINER = r"""
set -e
w="$1"; pyhome="$2"; shift 2
mount --bind "$w" "$w"
if [ -n "$pyhome" ]; then
    hold="$(mktemp -d "$w/.python-hold.XXXXXX")"
    mount --bind "$pyhome" "$hold"
    mount -t tmpfs -o mode=755,size=1m tmpfs /root
    mkdir -p "$pyhome"
    mount --bind "$hold" "$pyhome"
    umount "$hold"; rmdir "$hold"
    mount -o remount,bind,ro /root
fi
mount -o remount,bind,ro /
exec setpriv --reuid 10001 --regid 10001 --clear-groups -- "$@"
"""


def like_container(writable: Path, argv: list) -> list:
    """argv wrapped to run as the container runs it. Needs root (unshare, mount, setpriv)."""
    if os.geteuid() != 0:
        sys.exit("the backend's container conditions (read-only root, UID 10001) need root")
    writable.mkdir(parents=True, exist_ok=True)
    os.chown(writable, 10001, 10001)
    base = subprocess.run([VENV / "bin" / "python", "-c", "import sys; print(sys.base_prefix)"],
                          capture_output=True, text=True, check=True).stdout.strip()
    pyhome = base if base.startswith("/root/") else ""
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _LIKE_CONTAINER, "sh",
            str(writable), pyhome, *map(str, argv)]


def environment(database: dict, runtmp: Path, **more: str) -> dict:
    """The container's environment: production settings, the venv first on PATH, tmp in the emptyDir."""
    return {
        **os.environ, **database,
        "SECRET_KEY": "test-" + secrets.token_urlsafe(24), "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "travelapp.settings",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "TMPDIR": str(runtmp),
        "PATH": f"{VENV / 'bin'}:{os.environ['PATH']}", **more,
    }


def migrate(database: dict, runtmp: Path, log: Path) -> subprocess.CompletedProcess:
    """The per-release migrations Job's command, under the container's conditions."""
    env = environment(database, runtmp, PROMETHEUS_MULTIPROC_DIR=str(runtmp / "migrate-prom"))
    with open(log, "ab") as out:
        return subprocess.run(like_container(runtmp, ["python", "manage.py", "migrate", "--noinput"]), cwd=BACKEND,
                              env=env, stdout=out, stderr=subprocess.STDOUT, check=False)


class Gunicorn:
    """The image's default command (docker-entrypoint.sh: wait for the database, then gunicorn) on
    127.0.0.1:<free port>, 2 workers, multiprocess metrics in the emptyDir."""

    def __init__(self, database: dict, work: Path, workers: int = 2, log_name: str = "gunicorn.log",
                 backend_dir: Path = BACKEND, env: dict | None = None, contained: bool = True):
        """backend_dir: where the start script and code are (another version's checkout); env: more
        environment, applied last (it may override WEB_CONCURRENCY...); contained=False: run as we
        are, without the container's read-only root and UID (no root needed)."""
        self.database, self.workers = database, workers
        self.backend_dir, self.extra_env, self.contained = backend_dir, dict(env or {}), contained
        self.runtmp, self.log = work / "runtmp", work / log_name
        self.port = procs.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._started = None

    def start(self) -> None:
        env = environment(self.database, self.runtmp, **{
            "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_WORKER_TMP_DIR": str(self.runtmp),
            "PROMETHEUS_MULTIPROC_DIR": str(self.runtmp / "prometheus-multiproc"), "DB_WAIT_TIMEOUT": "30",
            **self.extra_env})
        argv = ["./docker-entrypoint.sh"]
        if self.contained:
            argv = like_container(self.runtmp, argv)
        else:
            self.runtmp.mkdir(parents=True, exist_ok=True)
        self._started = procs.started(argv, self.log, cwd=self.backend_dir, env=env)
        self.process = self._started.__enter__()
        try:
            procs.wait_http(self.url + "/readyz", 60, process=self.process)
        except Exception as e:
            self.stop()
            raise RuntimeError(f"{e}\n{procs.tail(self.log)}") from None

    def stop(self) -> None:
        if self._started is not None:
            self._started.__exit__(None, None, None)
            self._started = None

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def migrated_backend(database: dict, work: Path):
    """migrate, then gunicorn: what a release does. Raises when migrate fails."""
    result = migrate(database, work / "runtmp", work / "migrate.log")
    if result.returncode != 0:
        raise RuntimeError("migrate failed\n" + procs.tail(work / "migrate.log"))
    with Gunicorn(database, work) as gunicorn:
        yield gunicorn
