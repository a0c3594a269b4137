"""gunicorn settings for the Travel App backend (also read by the image).

Multiprocess Prometheus metrics: every worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR and /metrics merges them. The directory is emptied
when the master starts (stale files from a previous run would otherwise be
added in), and a worker's live gauges are dropped when it exits.
"""

import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, not sync: a sync worker closes the connection after every response, so
# nginx opened a new TCP connection per API call, which cost more CPU (in nginx,
# gunicorn and the kernel) than a small API answer itself. A gthread worker keeps
# nginx's connections open (keepalive; nginx's upstream block drops idle ones
# after 4 s, before this 5 s). Two threads per worker let one request use the CPU
# while another waits for PostgreSQL; more would only queue on the GIL within the
# pod's 500m CPU limit. Each thread has its own database connection.
worker_class = "gthread"
threads = 2
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# The heartbeat files live in /tmp: the root filesystem is read-only in
# Kubernetes and only /tmp (an emptyDir) is writable.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", "/tmp")
# The control socket of gunicornc (gunicorn >= 25) defaults to $HOME/.gunicorn/,
# which the read-only root filesystem refuses at every start ("Control server
# error: [Errno 30] Read-only file system"). It belongs with the other run-time
# files; mode 0600, so only this container's user can use it.
control_socket = os.path.join(worker_tmp_dir, "gunicorn.ctl")
# The access log and Django's logging (settings.LOGGING) go to stdout;
# gunicorn's own start/stop/worker lines go to stderr ("-"). Re-opening
# /dev/stdout instead fails when fd 1 belongs to another user.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        server.log.warning("PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows one worker at a time")
        return
    if os.path.isdir(path):
        for entry in os.listdir(path):
            full = os.path.join(path, entry)
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            else:
                os.unlink(full)
    os.makedirs(path, exist_ok=True)
    server.log.info("prometheus multiprocess dir %s emptied", path)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
