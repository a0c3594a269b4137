"""Lint of the app: hadolint on both Dockerfiles, ruff on the backend, eslint on the frontend."""

import subprocess

import pytest
from harness import BACKEND, FRONTEND, backend

VENV_BIN = backend.VENV / "bin"


def run(argv, cwd):
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("image", [BACKEND, FRONTEND], ids=["backend", "frontend"])
def test_hadolint_finds_nothing_in_the_dockerfile(image):
    run([VENV_BIN / "hadolint", image / "Dockerfile"], image)


def test_ruff_check_finds_nothing_in_the_backend():
    run([VENV_BIN / "ruff", "check", "."], BACKEND)


def test_the_backend_is_ruff_formatted():
    run([VENV_BIN / "ruff", "format", "--check", "."], BACKEND)


def test_eslint_finds_nothing_in_the_frontend_not_even_a_warning():
    run(["npx", "--no-install", "eslint", "--max-warnings=0", "."], FRONTEND)
