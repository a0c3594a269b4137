"""The frontend image's start-up check (docker-entrypoint.d/05-require-backend-host.sh), run as the
nginx image's entrypoint runs it: sh, with only the container's environment."""

import subprocess

from harness import FRONTEND

SCRIPT = FRONTEND / "docker-entrypoint.d" / "05-require-backend-host.sh"


def start(**env):
    return subprocess.run(["sh", SCRIPT], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True)


def test_refuses_to_start_without_backend_host_and_says_so():
    result = start(NGINX_PORT="8080", BACKEND_PORT="8000")
    assert result.returncode != 0
    assert "BACKEND_HOST is not set" in result.stderr


def test_refuses_a_backend_port_that_is_not_a_number():
    assert start(NGINX_PORT="8080", BACKEND_HOST="backend", BACKEND_PORT="http").returncode != 0


def test_starts_with_backend_host_and_numeric_ports():
    result = start(NGINX_PORT="80", BACKEND_HOST="backend", BACKEND_PORT="8000")
    assert result.returncode == 0, result.stderr
