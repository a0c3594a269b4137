"""The backend image's contract (docs/app.md) as written in its build files.

No Docker engine runs here, so the image cannot be built in tests; these checks
pin what the Kubernetes stack relies on. scripts/app-e2e.sh runs the start
script and the migrate command under the same conditions (read-only root
filesystem, UID 10001, only the /tmp stand-in writable).
"""

import re
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent
DOCKERFILE = (BACKEND / "Dockerfile").read_text()
FINAL_STAGE = DOCKERFILE.split("# --- final image")[1]


def instructions(text: str, keyword: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(keyword + " ")]


def test_base_image_is_python_3_11_slim_pinned_by_exact_version():
    args = instructions(DOCKERFILE, "ARG")
    image = next(a.split("=", 1)[1] for a in args if a.startswith("PYTHON_IMAGE="))
    assert re.fullmatch(r"python:3\.11\.\d+-slim-(bookworm|trixie)(@sha256:[0-9a-f]{64})?", image), image
    assert instructions(DOCKERFILE, "FROM") == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE}"]


def test_final_image_runs_as_uid_and_gid_10001():
    assert instructions(FINAL_STAGE, "USER") == ["10001:10001"]


def test_final_image_listens_on_8000_and_starts_gunicorn_after_waiting_for_the_database():
    assert instructions(FINAL_STAGE, "EXPOSE") == ["8000"]
    assert instructions(FINAL_STAGE, "CMD") == ['["/app/docker-entrypoint.sh"]']
    entrypoint = (BACKEND / "docker-entrypoint.sh").read_text()
    wait = entrypoint.index("python manage.py wait_for_db")
    start = entrypoint.index("exec gunicorn --config gunicorn.conf.py travelapp.wsgi:application")
    assert wait < start
    assert "migrate" not in entrypoint.split("set -eu", 1)[1].replace("Migrations are NOT run", "")


def test_runtime_writes_only_under_tmp():
    env = " ".join(instructions(FINAL_STAGE, "ENV"))
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc" in env
    assert "GUNICORN_WORKER_TMP_DIR=/tmp" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "GUNICORN_BIND=0.0.0.0:8000" in env


def test_final_image_installs_no_compiler_and_builder_uses_wheels_only():
    assert "apt-get" not in DOCKERFILE
    assert "--only-binary=:all:" in DOCKERFILE
    assert "COPY --from=builder /opt/venv /opt/venv" in FINAL_STAGE


def test_gunicorn_config_cleans_metrics_dir_and_marks_dead_workers():
    config = (BACKEND / "gunicorn.conf.py").read_text()
    assert "def on_starting(server):" in config
    assert "def child_exit(server, worker):" in config
    assert "mark_process_dead(worker.pid)" in config
    assert 'os.environ.get("GUNICORN_WORKER_TMP_DIR", "/tmp")' in config


def test_dockerignore_keeps_tests_and_local_venv_out_of_the_image():
    ignored = set((BACKEND / ".dockerignore").read_text().split())
    assert {".venv", "tests", "requirements-dev.txt"} <= ignored
