"""A throw-away PostgreSQL server: initdb in a temp dir, 127.0.0.1:<free port>, role and database
"travel". Run as the postgres user when we are root (PostgreSQL refuses root), else as ourselves."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import install, procs

PASSWORD = "travel-test-password"  # of a throw-away server on 127.0.0.1


class PostgresServer:
    def __init__(self, work: Path, bindir: Path | None = None):
        self.work = work
        self.bin = bindir or install.postgresql()
        self.data = work / "pgdata"
        self.log = work / "postgres.log"
        self.port = procs.free_port()
        self.running = False

    def as_postgres(self, *argv, check: bool = True, **kw) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *map(str, argv)], check=check, **kw)

    @property
    def env(self) -> dict:
        """The backend's database settings (DB_*), as the stack's ConfigMap and Secret give them."""
        return {"DB_HOST": "127.0.0.1", "DB_PORT": str(self.port), "DB_NAME": "travel", "DB_USER": "travel",
                "DB_PASSWORD": PASSWORD}

    @property
    def pid(self) -> int:
        """The postmaster's PID (the root of the server's processes), from postmaster.pid."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def initdb(self) -> None:
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            os.chown(self.work, *_postgres_ids())
            os.chown(self.data, *_postgres_ids())
        self.data.chmod(0o700)
        self.as_postgres(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                         "--locale=C.UTF-8", stdout=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.work} -c fsync=off -c synchronous_commit=off " \
                  "-c full_page_writes=off"
        try:
            self.as_postgres(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", options,
                             "start", stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            raise RuntimeError("PostgreSQL did not start\n" + procs.tail(self.log)) from None
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.as_postgres(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop",
                             check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.running = False

    def reload(self) -> None:
        self.as_postgres(self.bin / "pg_ctl", "-D", self.data, "reload", stdout=subprocess.DEVNULL)

    def psql(self, sql: str, user: str = "postgres", database: str = "postgres", **vars_) -> str:
        """Runs sql (psql variables as keyword arguments) and returns its unaligned output."""
        argv = [self.bin / "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", database, "-Atq",
                "-v", "ON_ERROR_STOP=1", *(f"-v{k}={v}" for k, v in vars_.items())]
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        return subprocess.run(argv, input=sql, env=env, capture_output=True, text=True, check=True).stdout

    def __enter__(self) -> PostgresServer:
        self.initdb()
        self.start()
        self.psql(f"CREATE ROLE travel LOGIN PASSWORD '{PASSWORD}' CREATEDB;\n"
                  "CREATE DATABASE travel OWNER travel;\n")
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid
