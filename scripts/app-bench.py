#!/usr/bin/env python3
"""Benchmark (prints numbers; not a test): wrk against
  a) GET /api/trips/ through nginx (DRF + PostgreSQL, 100 trips, a page of 20)
  b) GET /api/bench/ping through nginx (a bare Django JSON view, BENCH_ENDPOINTS=1): the baseline
  c) GET /api/bench/ping straight to gunicorn (no nginx)
on the same gunicorn (WEB_CONCURRENCY workers, multiprocess metrics, as in the image), all on
127.0.0.1; then a) and b) again on every variant (below), each on its own gunicorn and nginx and
the same database, after checking that it returns the same trips. Prints requests/s, p50, p99 and
the ratios to the baseline, the whole-stack CPU time per request (a figure the machine's load
hardly moves), the in-process CPU time per request and the load average.

Knobs (environment variables):
  BENCH_DURATION (s, default 15), BENCH_CONNECTIONS (default 64), BENCH_THREADS (default 2),
  BENCH_WORKERS (gunicorn workers, default 2 as in the image), BENCH_PROFILE=1 (also print the
  top of a cProfile of /api/trips/ in-process),
  BENCH_ROUNDS (default 1): a) and b) of every variant, this many times, alternated,
  BENCH_BEFORE=<git ref>: shorthand for the variant "<ref>|<ref>",
  BENCH_VARIANTS: variants separated by ";", each "LABEL|REF|NAME=VALUE|NAME=VALUE...":
    REF a git ref (its backend and nginx template) or "." (this working tree);
    NAME=VALUE the environment of its gunicorn, e.g. GUNICORN_CMD_ARGS=--threads 4 (gunicorn's
    documented override of its config file), WEB_CONCURRENCY=3, and BENCH_SETTINGS=<python>:
    statements run after travelapp.settings (a settings module of their own), e.g.
    BENCH_SETTINGS=DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
  KEEP_WORKDIR=1 keeps the temp dir (logs of every server).

The servers come from tests/harness (PostgreSQL, the image's start script, nginx with the image's
template); gunicorn runs as the invoking user, not under the container's read-only root.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from harness import BACKEND, FRONTEND, ROOT, backend, install, nginx, postgres, procs, web

TRIPS = 100
VARIANT_HEAD = "{:<34} {:>5} {:>9} {:>15} {:>8} {:>9} {:>8} {:>8} {:>9} {:>9} {:>35}"
VARIANT_ROW = "{:<34} {:>5d} {:>9.0f} {:>15} {:>8.2f} {:>9.0f} {:>8.1f} {:>8.2f} {:>9.2f} {:>9.2f} {:>35}"

SEED = f"""
import datetime as dt
from trips.models import Destination, Trip
dests = list(Destination.objects.all())
start = dt.date(2027, 1, 1)
Trip.objects.bulk_create([
    Trip(title=f'Bench trip {{i:03d}}', destination=dests[i % len(dests)],
         start_date=start + dt.timedelta(days=i), end_date=start + dt.timedelta(days=i + 1 + i % 9),
         travellers=1 + i % 20, notes='Benchmark data.')
    for i in range({TRIPS})
])
print(f'bench: {{Trip.objects.count()}} trips in the database')
"""

# In-process CPU per request (the worker's own time, without nginx, wrk or PostgreSQL):
# what the code costs, a figure the machine's load hardly moves.
IN_PROCESS = """
import cProfile, io, pstats, sys, time
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext
app = WSGIHandler()
def call(path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
               "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1"}
    body = app(environ, lambda status, headers: None)
    b"".join(body)
    body.close()
cpu = {}
for path in ("/api/trips/", "/api/bench/ping"):
    for _ in range(50):
        call(path)
    start = time.process_time()
    for _ in range(500):
        call(path)
    cpu[path] = (time.process_time() - start) / 500 * 1000
with CaptureQueriesContext(connection) as queries:
    call("/api/trips/")
print(f"in-process CPU per request: GET /api/trips/ {cpu['/api/trips/']:.2f} ms ({len(queries)} SQL "
      f"quer{'y' if len(queries) == 1 else 'ies'} + the connection health check), "
      f"GET /api/bench/ping {cpu['/api/bench/ping']:.2f} ms, ratio {cpu['/api/bench/ping'] / cpu['/api/trips/']:.2f}")
if sys.argv[1] == "1":
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(300):
        call("/api/trips/")
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def die(message: str) -> None:
    sys.exit(f"[{time.strftime('%H:%M:%S')}] ERROR: {message}")


def knob(name: str, default: int) -> int:
    value = os.environ.get(name, "") or str(default)
    if not value.isdigit() or int(value) < 1:
        die(f"{name} must be a positive integer, not {value!r}")
    return int(value)


def variants_from_env() -> list[list[str]]:
    """[[label, ref, NAME=VALUE...]...] from BENCH_BEFORE and BENCH_VARIANTS."""
    specs = []
    if before := os.environ.get("BENCH_BEFORE", ""):
        specs.append(f"{before}|{before}")
    specs += [v.strip() for v in os.environ.get("BENCH_VARIANTS", "").split(";") if v.strip()]
    variants = []
    for spec in specs:
        fields = spec.split("|")
        if len(fields) < 2 or not fields[1]:
            fields[1:2] = ["."]
        for assignment in fields[2:]:
            if "=" not in assignment:
                die(f"variant {fields[0]!r}: {assignment!r} is not NAME=VALUE")
        if (
            fields[1] != "."
            and subprocess.run(
                ["git", "-C", ROOT, "rev-parse", "-q", "--verify", f"{fields[1]}^{{commit}}"], capture_output=True
            ).returncode
        ):
            die(f"variant {fields[0]!r}: {fields[1]!r} is not a git ref of this repository")
        variants.append(fields)
    return variants


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def to_ms(value: str) -> float:
    """wrk's "1.23ms" / "456.00us" / "1.02s" -> milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def cpu_seconds(roots: list[tuple[str, int]]) -> dict[str, float]:
    """CPU seconds used so far by the servers of this run, every process under them included, by
    role (postgres, gunicorn, nginx). With wrk's own, per request, it is what the whole stack costs
    on this box, a figure that other work on the machine hardly moves, unlike req/s and latency:
    a quiet 2-core machine's req/s ratio is about its inverse."""
    stats = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(pid)] = (int(fields[1]), sum(map(int, fields[11:15])))  # ppid; utime stime cutime cstime
    seconds = {"postgres": 0.0, "gunicorn": 0.0, "nginx": 0.0}
    for role, root in roots:
        tree, grew = {root}, True
        while grew:
            more = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
            tree |= more
            grew = bool(more)
        seconds[role] += sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")
    return seconds


def children_cpu_seconds() -> float:
    """CPU of this process's waited-for children: wrk's, around a wrk run."""
    times = os.times()
    return times.children_user + times.children_system


class Bench:
    def __init__(self, work: Path, stack: ExitStack):
        self.work, self.stack = work, stack
        self.duration = knob("BENCH_DURATION", 15)
        self.connections = knob("BENCH_CONNECTIONS", 64)
        self.threads = knob("BENCH_THREADS", 2)
        self.workers = knob("BENCH_WORKERS", 2)
        self.rounds = knob("BENCH_ROUNDS", 1)
        self.variants = variants_from_env()
        self.roots: list[tuple[str, int]] = []  # (role, PID) of every server, for the CPU breakdown
        self.results: dict[str, dict] = {}

    def start_backend(self, name: str, backend_dir: Path, assignments: list[str]) -> backend.Gunicorn:
        """The image's start script in backend_dir, on a free port, with the variant's environment."""
        env, settings = {"BENCH_ENDPOINTS": "1"}, ""
        for assignment in assignments:
            key, value = assignment.split("=", 1)
            if key == "BENCH_SETTINGS":
                settings += value + "\n"
            else:
                env[key] = value
        if settings:
            module_dir = self.work / name / "settings"
            module_dir.mkdir(parents=True)
            (module_dir / "bench_settings.py").write_text(f"from travelapp.settings import *  # noqa\n{settings}")
            env.update(DJANGO_SETTINGS_MODULE="bench_settings", PYTHONPATH=str(module_dir))
        server = backend.Gunicorn(
            self.database.env, self.work / name, workers=self.workers, backend_dir=backend_dir, env=env, contained=False
        )
        (self.work / name).mkdir(exist_ok=True)
        self.stack.enter_context(server)
        self.roots.append(("gunicorn", server.process.pid))
        return server

    def start_nginx(self, name: str, backend_port: int, template: Path) -> nginx.Nginx:
        server = self.stack.enter_context(nginx.Nginx(self.work / name / "nginx", backend_port, template=template))
        self.roots.append(("nginx", server.process.pid))
        return server

    def prepare(self) -> None:
        log("bench: installing what is missing")
        install.postgresql()
        install.apt("nginx:nginx-light", "wrk:wrk", "envsubst:gettext-base")
        self.python = install.venv_with(backend.VENV, BACKEND / "requirements.txt", BACKEND / "requirements-dev.txt")
        install.npm_ci(FRONTEND)
        with open(self.work / "vite-build.log", "wb") as out:
            if subprocess.run(["npm", "run", "build", "--silent"], cwd=FRONTEND, stdout=out, stderr=out).returncode:
                die("npm run build failed\n" + procs.tail(self.work / "vite-build.log"))

        self.database = self.stack.enter_context(postgres.PostgresServer(self.work))
        self.roots.append(("postgres", self.database.pid))
        log(f"postgres: running on 127.0.0.1:{self.database.port} (data {self.database.data})")
        self.env = backend.environment(self.database.env, self.work, BENCH_ENDPOINTS="1")
        with open(self.work / "migrate.log", "wb") as out:
            if subprocess.run(
                [self.python, "manage.py", "migrate", "--noinput"],
                cwd=BACKEND,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            ).returncode:
                die("migrate failed\n" + procs.tail(self.work / "migrate.log"))
        subprocess.run([self.python, "manage.py", "shell", "-c", SEED], cwd=BACKEND, env=self.env, check=True)

        self.gunicorn = self.start_backend("after", BACKEND, [])
        self.nginx = self.start_nginx("after", self.gunicorn.port, nginx.TEMPLATE)
        if web.request(self.nginx.url + "/api/trips/").json()["count"] != TRIPS:
            die(f"expected {TRIPS} trips behind /api/trips/")
        ping = web.request(self.nginx.url + "/api/bench/ping")
        if ping.status != 200 or b"pong" not in ping.body:
            die("/api/bench/ping not routed")

        self.variant_urls = []
        for i, (label, ref, *assignments) in enumerate(self.variants):
            where = "this working tree" if ref == "." else ref
            log(f'bench: variant {i} "{label}": {where}' + (f", {' '.join(assignments)}" if assignments else ""))
            if ref == ".":
                backend_dir, template = BACKEND, nginx.TEMPLATE
            else:
                src = self.work / f"src-{i}"
                src.mkdir()
                archive = subprocess.Popen(
                    ["git", "-C", ROOT, "archive", ref, "app/backend", "app/frontend/nginx"], stdout=subprocess.PIPE
                )
                subprocess.run(["tar", "-x", "-C", src], stdin=archive.stdout, check=True)
                archive.stdout.close()
                if archive.wait():
                    die(f"git archive {ref} failed")
                backend_dir, template = src / "app/backend", src / "app/frontend/nginx/default.conf.template"
            server = self.start_backend(f"variant-{i}", backend_dir, assignments)
            site = self.start_nginx(f"variant-{i}", server.port, template)
            self.variant_urls.append(site.url)
            self.check_same_trips(label, site.url)

    def check_same_trips(self, label: str, other_base: str) -> None:
        """Same trips, same fields and values, page after page ("version" is left out: refs from
        before issue 12 do not have it; links are not compared, they became relative)."""

        def strip(page):
            return [{k: v for k, v in t.items() if k != "version"} for t in page["results"]]

        for page in range(1, 6):
            other = web.request(f"{other_base}/api/trips/?page={page}").json()
            this = web.request(f"{self.nginx.url}/api/trips/?page={page}").json()
            if other["count"] != this["count"] or strip(other) != strip(this):
                die(f'variant "{label}" and this tree disagree: page {page} differs')
        print("bench: the variant returns the same trips as this tree on every page", flush=True)

    def in_process(self) -> None:
        prom = self.work / "in-process-prom"
        prom.mkdir()
        subprocess.run(
            [self.python, "-c", IN_PROCESS, os.environ.get("BENCH_PROFILE", "0")],
            cwd=BACKEND,
            env={**self.env, "PROMETHEUS_MULTIPROC_DIR": str(prom)},
            check=True,
        )

    def wrk(self, key: str, url: str) -> None:
        base = ["wrk", f"-t{self.threads}", f"-c{self.connections}"]
        subprocess.run([*base, "-d2s", url], stdout=subprocess.DEVNULL, check=True)  # warm-up
        cpu0, wrk0 = cpu_seconds(self.roots), children_cpu_seconds()
        out = subprocess.run(
            [*base, f"-d{self.duration}s", "--latency", url], capture_output=True, text=True, check=True
        ).stdout
        wrk1, cpu1 = children_cpu_seconds(), cpu_seconds(self.roots)
        print("\n".join("    " + line for line in out.splitlines()), flush=True)
        if "Non-2xx" in out:
            die(f"non-2xx responses for {url}")
        latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
        requests = int(re.search(r"^\s*(\d+) requests in", out, re.MULTILINE).group(1))
        split = {role: (cpu1[role] - cpu0[role]) * 1000 / requests for role in cpu0}
        split["wrk"] = (wrk1 - wrk0) * 1000 / requests
        self.results[key] = {
            "rps": re.search(r"^Requests/sec:\s+(\S+)", out, re.MULTILINE).group(1),
            "p50": round(to_ms(latency["50"]), 2),  # rounded as printed, before the ratios
            "p99": round(to_ms(latency["99"]), 2),
            "cpu": sum(split.values()),
            "split": "{postgres:8.2f} {gunicorn:8.2f} {nginx:8.2f} {wrk:8.2f}".format(**split),
        }

    def run(self) -> None:
        self.load_before = loadavg()
        log(
            f"bench: wrk -t{self.threads} -c{self.connections} -d{self.duration}s, gunicorn {self.workers} workers, "
            f"nginx 1 worker, {len(os.sched_getaffinity(0))} cores, load average {self.load_before}"
        )
        log("bench: b) GET /api/bench/ping via nginx")
        self.wrk("ping", self.nginx.url + "/api/bench/ping")
        log("bench: a) GET /api/trips/ via nginx")
        self.wrk("trips", self.nginx.url + "/api/trips/")
        log("bench: c) GET /api/bench/ping direct to gunicorn")
        self.wrk("direct", self.gunicorn.url + "/api/bench/ping")
        # The variants, alternated round by round so that the machine's load drifts across all of them.
        for round_ in range(1, self.rounds + 1):
            for i, url in enumerate(self.variant_urls):
                log(f'bench: round {round_}, variant {i} "{self.variants[i][0]}": ping, then the list, via nginx')
                self.wrk(f"v{i}-r{round_}-ping", url + "/api/bench/ping")
                self.wrk(f"v{i}-r{round_}-trips", url + "/api/trips/")
        self.load_after = loadavg()

    def report(self) -> None:
        r = self.results

        def row(*cells):
            print("{:<46} {:>9} {:>8} {:>8} {:>13}".format(*cells))

        def figures(key):
            return r[key]["rps"], f"{r[key]['p50']:.2f}", f"{r[key]['p99']:.2f}", f"{r[key]['cpu']:.2f}"

        print()
        row("endpoint", "req/s", "p50 ms", "p99 ms", "CPU ms/req")
        row("a) GET /api/trips/ (nginx, DRF, PostgreSQL)", *figures("trips"))
        row("b) GET /api/bench/ping (nginx, bare Django)", *figures("ping"))
        row("c) GET /api/bench/ping (direct to gunicorn)", *figures("direct"))
        print()
        print("CPU ms per request, by process (where the time goes):")
        print("{:<46} {:>8} {:>8} {:>8} {:>8}".format("endpoint", "postgres", "gunicorn", "nginx", "wrk"))
        print("{:<46} {}".format("a) GET /api/trips/", r["trips"]["split"]))
        print("{:<46} {}".format("b) GET /api/bench/ping via nginx", r["ping"]["split"]))
        print("{:<46} {}".format("c) GET /api/bench/ping direct", r["direct"]["split"]))
        rps = {key: float(r[key]["rps"]) for key in ("trips", "ping", "direct")}
        # The CPU ratio from the rounded figures, as the shell version computed it.
        cpu = {key: float(f"{r[key]['cpu']:.2f}") for key in ("trips", "ping")}
        print(f"ratio trips/ping, req/s:              {rps['trips'] / rps['ping']:.2f}  (goal >= 0.5)")
        print(
            f"ratio trips/ping, whole-stack CPU:    {cpu['ping'] / cpu['trips']:.2f}  "
            "(ping CPU / trips CPU per request)"
        )
        print(f"trips p99 at {self.connections} connections:          {r['trips']['p99']:.1f} ms  (goal < 100)")
        print(f"ratio ping via nginx / ping direct:   {rps['ping'] / rps['direct']:.2f}")
        if self.variants:
            print()
            print(
                "variants (a) the list, b) the bare view, both via nginx; each round's figures, the ratio a/b of "
                "that round;"
            )
            print("the list's CPU ms per request by process last):")
            heads = ("variant", "round", "a) req/s", "a) p50/p99 ms", "a) CPU", "b) req/s", "b) p99", "b) CPU")
            print(VARIANT_HEAD.format(*heads, "a/b req/s", "a/b CPU", "a) postgres gunicorn nginx wrk"))
            for i, (label, *_) in enumerate(self.variants):
                for round_ in range(1, self.rounds + 1):
                    t, p = r[f"v{i}-r{round_}-trips"], r[f"v{i}-r{round_}-ping"]
                    tr, pr = float(t["rps"]), float(p["rps"])
                    tc, pc = float(f"{t['cpu']:.2f}"), float(f"{p['cpu']:.2f}")
                    print(
                        VARIANT_ROW.format(
                            label[:34],
                            round_,
                            tr,
                            f"{t['p50']:.2f} / {t['p99']:.2f}",
                            tc,
                            pr,
                            p["p99"],
                            pc,
                            tr / pr,
                            pc / tc,
                            t["split"],
                        )
                    )
        print(f"load average (1, 5, 15 min): {self.load_before} before wrk, {self.load_after} after")


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()

    def interrupted(signum, frame):
        sys.exit(130)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    with procs.workdir("app-bench") as work, ExitStack() as stack:
        bench = Bench(work, stack)
        bench.prepare()
        bench.in_process()
        bench.run()
        bench.report()


if __name__ == "__main__":
    main()
