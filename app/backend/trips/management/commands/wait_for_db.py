"""``manage.py wait_for_db``: block until the database accepts connections.

Used by the image's start script before gunicorn starts. Bounded: gives up
after DB_WAIT_TIMEOUT seconds (default 60) with a non-zero exit, so a pod with
a wrong DB_HOST fails visibly instead of hanging.
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


class Command(BaseCommand):
    help = "Wait until the database accepts connections (bounded by DB_WAIT_TIMEOUT, default 60 s)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="Seconds to wait in all (default: $DB_WAIT_TIMEOUT or 60).",
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between attempts.")

    def handle(self, *args, timeout=None, interval=1.0, **options):
        if timeout is None:
            raw = os.environ.get("DB_WAIT_TIMEOUT", "60")
            try:
                timeout = float(raw)
            except ValueError:
                raise CommandError(f"DB_WAIT_TIMEOUT must be a number of seconds, got {raw!r}")
        connection = connections[DEFAULT_DB_ALIAS]
        target = f"{connection.settings_dict['HOST']}:{connection.settings_dict['PORT']}"
        name = connection.settings_dict["NAME"]
        self.stdout.write(f"wait_for_db: waiting up to {timeout:g}s for database {name} at {target}")
        sys.stdout.flush()
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                elapsed = time.monotonic() - started
                self.stdout.write(
                    f"wait_for_db: database {name} at {target} is up "
                    f"after {elapsed:.1f}s ({attempt} attempt(s))"
                )
                connection.close()
                return
            except Exception as exc:
                connection.close()
                elapsed = time.monotonic() - started
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if elapsed + interval > timeout:
                    raise CommandError(
                        f"wait_for_db: database {name} at {target} still unreachable after "
                        f"{elapsed:.1f}s ({attempt} attempt(s)); giving up (DB_WAIT_TIMEOUT={timeout:g}). "
                        f"Last error: {reason}"
                    )
                self.stdout.write(f"wait_for_db: attempt {attempt} failed after {elapsed:.1f}s: {reason}")
                sys.stdout.flush()
                time.sleep(interval)
