"""Settings for the Travel App backend.

Every value that differs between environments comes from the environment, and
only from the environment (see docs/app.md for the full list):

    SECRET_KEY      required, no default: the process refuses to start without it
    DEBUG           default false
    ALLOWED_HOSTS   comma-separated, default empty
    DB_HOST, DB_PORT (default 5432), DB_NAME, DB_USER, DB_PASSWORD

SECRET_KEY and DB_PASSWORD may instead be read from the file that SECRET_KEY_FILE
or DB_PASSWORD_FILE names (Kubernetes mounts them from the app Secret), as the
official postgres image reads POSTGRES_PASSWORD_FILE.

The health, readiness and metrics paths are served before host validation
(travelapp.probes.ProbeMiddleware), so kubelet probes and Prometheus scrapes
that use the pod IP as Host header work whatever ALLOWED_HOSTS says.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, got {raw!r}")


def _env_secret(name: str) -> str:
    """NAME, or the contents of the file NAME_FILE names, without trailing newlines
    (as the shell's $(< file) in the postgres image's entrypoint): one password file
    gives PostgreSQL and Django the same password. Never both."""
    path = os.environ.get(f"{name}_FILE", "")
    if not path:
        return os.environ.get(name, "")
    if os.environ.get(name):
        raise ImproperlyConfigured(f"Both {name} and {name}_FILE are set; set only one.")
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().rstrip("\n")
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {error.strerror}.") from None


def _env_required(name: str) -> str:
    value = _env_secret(name)
    if not value.strip():
        raise ImproperlyConfigured(
            f"The {name} environment variable is required and has no default; "
            f"set {name} or {name}_FILE (in Kubernetes it is a file of the app Secret)."
        )
    return value


SECRET_KEY = _env_required("SECRET_KEY")
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]

# prometheus_client multiprocess mode: every process (gunicorn worker, the
# migrate Job, tests) writes its samples under this directory. Under a
# read-only root filesystem only /tmp is writable, hence the default location
# chosen by the image; create it here so a one-off process (manage.py migrate)
# does not fail on a fresh emptyDir. gunicorn.conf.py empties it at start.
_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _multiproc_dir:
    os.makedirs(_multiproc_dir, exist_ok=True)

INSTALLED_APPS = [
    "django_prometheus",
    "rest_framework",
    "trips",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Answers /healthz, /readyz and /metrics before anything calls
    # request.get_host(), i.e. before host validation.
    "travelapp.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "travelapp.urls"
WSGI_APPLICATION = "travelapp.wsgi.application"

TEMPLATES: list = []

DATABASES = {
    "default": {
        # django-prometheus's PostgreSQL backend (psycopg 3): Django's, plus query,
        # connection and error counters on /metrics.
        "ENGINE": "django_prometheus.db.backends.postgresql",
        "HOST": os.environ.get("DB_HOST", "localhost"),
        "PORT": os.environ.get("DB_PORT", "5432"),
        "NAME": os.environ.get("DB_NAME", "travel"),
        "USER": os.environ.get("DB_USER", "travel"),
        "PASSWORD": _env_secret("DB_PASSWORD"),
        "CONN_MAX_AGE": 60,
        # Django sends "SELECT 1" before a request's first query on a persistent connection,
        # so one the database dropped (restart, failover) is replaced instead of failing that
        # request. A round trip per request: the list's largest single cost, kept for this
        # (docs/benchmarks.md).
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "connect_timeout": 3,
            # Parameters bound on the server, and a statement a connection has run
            # prepare_threshold times prepared there: PostgreSQL then parses and plans
            # the trip list's page-plus-count once per connection instead of at every
            # request (docs/benchmarks.md). Django leaves both off for transaction-pooling
            # proxies such as PgBouncer, which this stack does not use.
            "server_side_binding": True,
            "prepare_threshold": 5,
        },
        "TEST": {"NAME": os.environ.get("DB_TEST_NAME", "test_travel")},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# API only: no static files, no sessions, no templates.
STATIC_URL = None
APPEND_SLASH = True

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["trips.parsers.JSONParser"],
    # A public demo product: no accounts, so no authentication and no CSRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_PAGINATION_CLASS": "trips.pagination.Pagination",
    "PAGE_SIZE": 20,
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
