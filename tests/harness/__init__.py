"""Real servers for the app, monitoring and backup suites, without containers.

install    idempotent installs: Debian packages, a venv from a requirements file, `npm ci`
procs      free ports, waiting for HTTP, starting and stopping the processes we start
postgres   a throw-away PostgreSQL server on a loopback port
backend    the backend run like its container (read-only root filesystem, UID 10001)
nginx      Debian's nginx serving the frontend build with the image's default.conf.template

It lives under tests/, not app/: app/backend and app/frontend are what the images are built from,
and this code serves every suite (and a benchmark) that needs the app on real servers.
Standard library only, so tests/run.py can use it before any venv exists.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
BACKEND = APP / "backend"
FRONTEND = APP / "frontend"
E2E = APP / "e2e"
