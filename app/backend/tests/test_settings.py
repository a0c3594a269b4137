"""Settings come only from the environment; SECRET_KEY has no default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parent.parent

LOAD_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(repr((settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['HOST'], "
    "settings.DATABASES['default']['PORT'], settings.DATABASES['default']['NAME'], "
    "settings.DATABASES['default']['USER'], settings.DATABASES['default']['PASSWORD'])))"
)


def run_settings(env_overrides: dict, drop: tuple = ()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "travelapp.settings"
    return subprocess.run(
        [sys.executable, "-c", LOAD_SETTINGS],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_secret_key_and_names_it():
    result = run_settings({}, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_refuses_a_blank_secret_key():
    result = run_settings({"SECRET_KEY": "   "})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_manage_py_refuses_to_run_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_defaults_to_false_and_db_port_to_5432():
    result = run_settings({"SECRET_KEY": "k"}, drop=("DEBUG", "DB_PORT"))
    assert result.returncode == 0, result.stderr
    debug, _hosts, _host, port, *_ = eval(result.stdout)  # noqa: S307 (our own repr output)
    assert debug is False
    assert port == "5432"


def test_every_setting_is_read_from_its_environment_variable():
    result = run_settings(
        {
            "SECRET_KEY": "k",
            "DEBUG": "true",
            "ALLOWED_HOSTS": " travel.example, backend ,,10.0.0.1 ",
            "DB_HOST": "db.internal",
            "DB_PORT": "6543",
            "DB_NAME": "tripsdb",
            "DB_USER": "alice",
            "DB_PASSWORD": "s3cret",
        }
    )
    assert result.returncode == 0, result.stderr
    assert eval(result.stdout) == (  # noqa: S307
        True,
        ["travel.example", "backend", "10.0.0.1"],
        "db.internal",
        "6543",
        "tripsdb",
        "alice",
        "s3cret",
    )


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_an_unparseable_debug_value_is_refused(value):
    result = run_settings({"SECRET_KEY": "k", "DEBUG": value})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr
