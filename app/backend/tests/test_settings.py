"""Settings come only from the environment (secrets also from files it names); SECRET_KEY has no default."""

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


LOAD_SECRETS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(repr((settings.SECRET_KEY, settings.DATABASES['default']['PASSWORD'])))"
)


def run_secrets(env_overrides: dict):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DB_PASSWORD")}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "travelapp.settings"
    return subprocess.run(
        [sys.executable, "-c", LOAD_SECRETS], cwd=BACKEND, env=env, capture_output=True, text=True, timeout=60
    )


def test_secrets_are_read_from_the_files_the_file_variables_name(tmp_path):
    # Kubernetes writes a Secret's value as is; a file written by hand usually ends in a newline.
    (tmp_path / "django_secret_key").write_text("k3y-from-file!#%")
    (tmp_path / "db_password").write_text("pw-from-file\n")
    files = {"SECRET_KEY_FILE": "django_secret_key", "DB_PASSWORD_FILE": "db_password"}
    result = run_secrets({variable: str(tmp_path / name) for variable, name in files.items()})
    assert result.returncode == 0, result.stderr
    assert eval(result.stdout) == ("k3y-from-file!#%", "pw-from-file")  # noqa: S307


def test_a_secret_and_its_file_variable_together_are_refused(tmp_path):
    (tmp_path / "db_password").write_text("a")
    password_file = str(tmp_path / "db_password")
    result = run_secrets({"SECRET_KEY": "k", "DB_PASSWORD": "b", "DB_PASSWORD_FILE": password_file})
    assert result.returncode != 0
    assert "Both DB_PASSWORD and DB_PASSWORD_FILE are set" in result.stderr


def test_an_unreadable_secret_file_is_refused_naming_the_variable(tmp_path):
    missing = tmp_path / "nowhere"
    result = run_secrets({"SECRET_KEY_FILE": str(missing)})
    assert result.returncode != 0
    assert f"SECRET_KEY_FILE={missing} cannot be read" in result.stderr


def test_an_empty_secret_key_file_is_refused_like_a_blank_secret_key(tmp_path):
    (tmp_path / "django_secret_key").write_text("\n")
    result = run_secrets({"SECRET_KEY_FILE": str(tmp_path / "django_secret_key")})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
