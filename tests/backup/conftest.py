"""A real PostgreSQL as the backup pods see it: TCP with a password (scram, never trust), the
password in a file, the scripts run as a non-root user with only the pod's environment."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from harness import ROOT, postgres, procs

SCRIPTS = ROOT / "src" / "main" / "resources" / "backup"
ROWS = int(os.environ.get("BACKUP_TEST_ROWS", "2000"))
NUMBERS: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if NUMBERS:
        terminalreporter.write_line("numbers: " + "; ".join(NUMBERS))


def as_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")


@dataclass
class Pod:
    """What a backup pod has: the database, a backups volume, the password file."""

    db: postgres.PostgresServer
    work: Path
    backups: Path
    password_file: Path
    outputs: list = field(default_factory=list)

    def run(self, script: str, *args: str, password_file: Path | None = None, backup_dir: Path | None = None,
            retention: str = "3") -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        env = [f"PATH={self.db.bin}:/usr/bin:/bin", "PGHOST=127.0.0.1", f"PGPORT={self.db.port}",
               "PGDATABASE=travel", "PGUSER=travel", "PGCONNECT_TIMEOUT=5",
               f"DB_PASSWORD_FILE={password_file or self.password_file}", f"BACKUP_DIR={backup_dir or self.backups}",
               f"BACKUP_RETENTION={retention}"]
        result = subprocess.run([*prefix, "env", "-i", *env, "sh", SCRIPTS / script, *args],
                                capture_output=True, text=True, timeout=300)
        self.outputs.append(result.stdout + result.stderr)
        return result

    def sql(self, sql: str, database: str = "travel", **vars_) -> str:
        return self.db.psql(sql, user="travel", database=database, **vars_).strip()

    def digest(self) -> str:
        return hashlib.sha256(self.sql("COPY (SELECT * FROM trips ORDER BY id) TO STDOUT").encode()
                                            ).hexdigest()[:16]

    def state(self) -> tuple[str, str]:
        """Rows and schema (tables, sequences, constraints, views): what a half-done restore would
        change. pg_dump's \\restrict lines carry a random key each time (since 15.14): left out."""
        schema = subprocess.run([self.db.bin / "pg_dump", "-h", "127.0.0.1", "-p", str(self.db.port), "-U", "travel",
                                 "--schema-only", "travel"], env={**os.environ, "PGPASSWORD": postgres.PASSWORD},
                                capture_output=True, text=True, check=True).stdout
        kept = [line for line in schema.splitlines() if not line.startswith(("\\restrict ", "\\unrestrict "))]
        return self.digest(), hashlib.sha256("\n".join(kept).encode()).hexdigest()[:16]

    def backups_made(self) -> list[str]:
        """The backups backup.sh made (travel-<UTC time>Z.dump), oldest first."""
        return sorted(p.name for p in self.backups.glob("travel-*Z.dump"))


@pytest.fixture(scope="module")
def pod():
    with procs.workdir("backup") as work, postgres.PostgresServer(work) as db:
        hba = db.data / "pg_hba.conf"
        hba.write_text("\n".join(line[:-len("trust")] + "scram-sha-256" if line.startswith("host") and
                                 line.endswith("trust") else line for line in hba.read_text().splitlines()) + "\n")
        db.reload()
        backups, password_file = work / "backups", work / "db_password"
        backups.mkdir()
        password_file.write_text(postgres.PASSWORD)
        password_file.chmod(0o400)
        as_postgres(backups)
        as_postgres(password_file)
        yield Pod(db, work, backups, password_file)
