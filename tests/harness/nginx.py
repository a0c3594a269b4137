"""Debian's nginx serving the frontend build with the image's default.conf.template, rendered as the
image's entrypoint renders it (envsubst restricted to its three variables), under a stand-in for the
image's /etc/nginx/nginx.conf (nginx-unprivileged) whose temp and pid paths are in a temp dir."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from . import FRONTEND, procs

TEMPLATE = FRONTEND / "nginx" / "default.conf.template"

_MAIN_CONF = """{user}
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {access_log};
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {d}/tmp/client_body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {d}/conf.d/*.conf;
}}
"""


class Nginx:
    def __init__(self, directory: Path, backend_port: int, access_log: str = "off", template: Path = TEMPLATE):
        self.dir, self.backend_port, self.template = directory, backend_port, template
        self.access_log = access_log
        self.port = procs.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.error_log = directory / "error.log"
        self._started = None
        self.process: subprocess.Popen | None = None

    def render(self) -> None:
        (self.dir / "conf.d").mkdir(parents=True, exist_ok=True)
        (self.dir / "tmp").mkdir(exist_ok=True)
        html = self.dir / "html"
        if not html.exists():
            html.symlink_to(FRONTEND / "dist")
        values = {"BACKEND_HOST": "127.0.0.1", "BACKEND_PORT": str(self.backend_port), "NGINX_PORT": str(self.port)}
        rendered = subprocess.run(["envsubst", " ".join(f"${{{k}}}" for k in values)],
                                  input=self.template.read_text(), env={**os.environ, **values},
                                  capture_output=True, text=True, check=True).stdout
        (self.dir / "conf.d" / "default.conf").write_text(rendered)
        user = ""
        if os.geteuid() == 0:
            user = "user nobody nogroup;"
            for path in [self.dir / "tmp", *(self.dir / "tmp").rglob("*")]:
                shutil.chown(path, "nobody", "nogroup")
        (self.dir / "nginx.conf").write_text(_MAIN_CONF.format(user=user, d=self.dir, access_log=self.access_log))

    def _argv(self, *extra: str) -> list:
        return ["nginx", *extra, "-p", f"{self.dir}/", "-c", str(self.dir / "nginx.conf"), "-e", str(self.error_log)]

    def start(self) -> None:
        self.render()
        test = subprocess.run(self._argv("-t", "-q"), capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {test.stderr}\n{procs.tail(self.error_log)}")
        self._started = procs.started(self._argv(), self.dir / "nginx.out")
        self.process = self._started.__enter__()
        procs.wait_http(self.url + "/healthz", 30, process=self.process)

    def stop(self) -> None:
        if self._started is not None:
            self._started.__exit__(None, None, None)
            self._started = None

    def __enter__(self) -> Nginx:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
