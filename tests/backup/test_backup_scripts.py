"""The scripts the backup pods run, as the stack ships them (src/main/resources/backup/: backup.sh
in the postgres-backup CronJob, restore.sh in the Jobs of scripts/db-restore.sh), on a real
PostgreSQL (conftest.py). One story, in file order: the database is filled, backed up five times,
changed, restored, broken; each test states one promise. In a cluster, BackupRestoreIT (src/it; was step
12) runs the same scripts on the real node."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest
from conftest import NUMBERS, ROWS
from harness import ROOT

SEED = """
CREATE TABLE trips (id serial PRIMARY KEY, title text NOT NULL, start_date date, end_date date, travellers int,
                    notes text, created timestamptz DEFAULT now());
INSERT INTO trips (title, start_date, end_date, travellers, notes)
SELECT 'Trip ' || g || ' — Zürich ✈', date '2027-01-01' + g % 365, date '2027-01-08' + g % 365, g % 20 + 1,
       repeat(E'a\\tb\\\\c ''q'' ' || md5(g::text), g % 7)
FROM generate_series(1, :rows) g;
"""
story: dict = {}


def lines_with(result, text, start=False):
    lines = (result.stdout + result.stderr).splitlines()
    return sum(line.startswith(text) if start else text in line for line in lines)


# --- backup.sh ------------------------------------------------------------------------------------

def test_backup_sh_exits_0_and_reports_the_dump_size_and_timings(pod):
    """Like the app's trips: a title, dates, a count and notes of up to a few hundred characters."""
    pod.sql(SEED, rows=ROWS)
    story["before"] = pod.digest()
    started = time.monotonic()
    result = pod.run("backup.sh")
    story["backup_ms"] = int((time.monotonic() - started) * 1000)
    assert result.returncode == 0, result.stderr
    report = r"^backup: travel-\d{8}T\d{6}Z\.dump: \d+ bytes, 1 tables, pg_dump \d+ s, read back \d+ s$"
    assert len(re.findall(report, result.stdout + result.stderr, re.M)) == 1, result.stdout + result.stderr
    story["first"] = pod.backups_made()[0]


def test_the_dump_is_in_pg_dump_custom_format_that_pg_restore_lists(pod):
    listing = subprocess.run([pod.db.bin / "pg_restore", "--list", pod.backups / story["first"]],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE DATA public trips" in listing


def test_the_dump_is_readable_by_its_owner_only(pod):
    assert (pod.backups / story["first"]).stat().st_mode & 0o777 == 0o600


def test_retention_3_keeps_the_newest_3_of_5_backups_and_removes_the_oldest_first(pod):
    shutil.copy2(pod.backups / story["first"], pod.backups / "travel-kept-by-hand.dump")
    for run in range(2, 6):
        time.sleep(1)  # backups are named by the second
        result = pod.run("backup.sh", retention="3")
        assert result.returncode == 0, f"run {run}: {result.stderr}"
    made = pod.backups_made()
    assert len(made) == 3 and story["first"] not in made, made
    story["newest"] = made[-1]


def test_a_dump_copied_in_by_hand_is_never_counted_or_removed(pod):
    assert (pod.backups / "travel-kept-by-hand.dump").is_file()


def test_a_failed_dump_exits_non_zero_and_leaves_no_partial_file_and_the_backups_as_they_were(pod):
    wrong = pod.work / "wrong_password"
    wrong.write_text("wrong-password")
    wrong.chmod(0o444)
    assert pod.run("backup.sh", password_file=wrong).returncode != 0
    assert not list(pod.backups.glob("*.partial"))
    assert pod.backups_made()[-1] == story["newest"]


def test_backup_sh_refuses_retention_0(pod):
    assert pod.run("backup.sh", retention="0").returncode != 0


# --- restore.sh -----------------------------------------------------------------------------------

def test_list_prints_one_backup_line_per_backup_oldest_first_then_listed(pod):
    lines = pod.run("restore.sh", "--list").stdout.splitlines()
    backup_lines = [line for line in lines if line.startswith("BACKUP ")]
    assert len(backup_lines) == 3, lines
    assert backup_lines[-1].split()[1] == story["newest"]
    assert lines[-1].split()[:2] == ["LISTED", "3"], lines[-1]


def test_restore_latest_over_newer_data_gives_back_the_backed_up_rows_byte_for_byte(pod):
    pod.sql("DELETE FROM trips WHERE id > 1000; UPDATE trips SET title = 'changed'; "
            "INSERT INTO trips (title) VALUES ('new'); CREATE TABLE added_later (x int)")
    result = pod.run("restore.sh", "latest")
    assert result.returncode == 0, result.stderr[-500:]
    assert pod.digest() == story["before"]


def test_objects_created_after_the_backup_are_left_alone(pod):
    assert pod.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'added_later'") == "1"


def test_the_sequence_is_restored_too_the_next_trip_gets_the_next_id(pod):
    assert pod.sql("INSERT INTO trips (title) VALUES ('next') RETURNING id") == str(ROWS + 1)


def test_restore_name_into_a_new_empty_database_gives_back_the_same_rows_byte_for_byte(pod):
    pod.sql("DROP TABLE added_later")
    pod.sql("DROP DATABASE travel", database="postgres")
    pod.sql("CREATE DATABASE travel OWNER travel", database="postgres")
    started = time.monotonic()
    result = pod.run("restore.sh", story["newest"])
    story["restore_ms"] = int((time.monotonic() - started) * 1000)
    assert result.returncode == 0, result.stderr[-500:]
    assert pod.digest() == story["before"]


def test_a_restore_that_fails_halfway_changes_no_row_and_no_schema_one_transaction(pod):
    pod.sql("CREATE VIEW depends_on_trips AS SELECT id FROM trips")  # restore.sh cannot drop trips
    pod.sql("UPDATE trips SET title = 'after' WHERE id = 1")
    after = pod.state()
    assert pod.run("restore.sh", "latest").returncode != 0
    assert pod.state() == after
    pod.sql("DROP VIEW depends_on_trips")


def test_a_truncated_dump_is_refused_and_nothing_changes(pod):
    after = pod.state()
    truncated = pod.backups / "travel-20000101T000000Z.dump"
    truncated.write_bytes((pod.backups / story["newest"]).read_bytes()[:2000])
    try:
        assert pod.run("restore.sh", truncated.name).returncode != 0
        assert pod.state() == after
    finally:
        truncated.unlink()


@pytest.mark.parametrize("name", ["../db_password", "no-such.dump", "travel-kept-by-hand.dump", ""])
def test_restore_sh_refuses_a_name_that_is_no_backup(pod, name):
    assert pod.run("restore.sh", name).returncode != 0


def test_restore_sh_refuses_to_run_without_a_backup(pod):
    empty = pod.work / "empty"
    empty.mkdir()
    shutil.chown(empty, "postgres")
    result = pod.run("restore.sh", "latest", backup_dir=empty)
    assert result.returncode != 0
    assert lines_with(result, "nothing to restore from") == 1


def test_the_password_appears_in_none_of_the_scripts_output(pod):
    assert pod.outputs and not [out for out in pod.outputs if pod.db.env["DB_PASSWORD"] in out]
    size = (pod.backups / story["newest"]).stat().st_size
    database_size = pod.sql("SELECT pg_size_pretty(pg_database_size('travel'))")
    NUMBERS.extend([f"{ROWS} trips, database {database_size}",
                    f"dump {size} bytes", f"backup.sh {story['backup_ms']} ms (pg_dump and read-back)",
                    f"restore.sh into an empty database {story['restore_ms']} ms"])


# --- scripts/db-backup.sh and scripts/db-restore.sh: refusals that need no cluster ------------------

def user_script(tmp_path, script, *args, path=None):
    env = {"PATH": path or os.environ["PATH"], "HOME": str(tmp_path),
           "KUBECONFIG": str(tmp_path / "kubeconfig")}
    return subprocess.run([ROOT / "scripts" / script, *args], env=env, capture_output=True, text=True, timeout=120)


def test_db_restore_help_exits_0_with_its_usage(tmp_path):
    result = user_script(tmp_path, "db-restore.sh", "--help")
    assert result.returncode == 0
    assert lines_with(result, "Usage: scripts/db-restore.sh", start=True) == 1


@pytest.mark.parametrize("args", [["--force"], ["--timeout", "5m"], ["--list", "travel-x.dump"]],
                         ids=["an unknown option", "--timeout without whole seconds", "--list with a BACKUP"])
def test_db_restore_refuses_bad_arguments_with_exit_2(tmp_path, args):
    assert user_script(tmp_path, "db-restore.sh", *args).returncode == 2


def test_db_backup_refuses_an_argument_with_exit_2(tmp_path):
    assert user_script(tmp_path, "db-backup.sh", "travel").returncode == 2


def test_db_restore_says_the_cluster_does_not_answer_exit_1(tmp_path):
    (tmp_path / "kubeconfig").write_text(
        'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n'
        "contexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n")
    result = user_script(tmp_path, "db-restore.sh", "--namespace", "travel-app", "--yes")
    assert result.returncode == 1
    assert lines_with(result, "does not answer") == 1


def test_db_backup_without_namespace_and_without_a_stack_says_to_pass_namespace_exit_1(tmp_path):
    result = user_script(tmp_path, "db-backup.sh", path="/usr/bin:/bin")
    assert result.returncode == 1
    assert lines_with(result, "pass --namespace") == 1
