"""gunicorn settings of one web instance (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Options given on the command line or in ``GUNICORN_CMD_ARGS`` win over these. Each instance gets its
own ``PROMETHEUS_MULTIPROC_DIR``: prometheus-client's multiprocess mode keeps every worker's counts in
files there, emptied when the instance starts, and ``/metrics`` adds them up.
"""

import glob
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request slower than this is a bug or a stuck database: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the upstream open (deploy/nginx/supervise.conf)
accesslog = "-"
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): two instances
# on one machine would take it from each other. Off unless an instance is given a path of its own.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# Requests and their latency are counted by the app (/metrics); the access log is for people.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-forwarded-for}i)s"'


def on_starting(server) -> None:
    """Empty this instance's metrics directory: counts of an earlier run must not be added again."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)


def child_exit(server, worker) -> None:
    """A worker that exits leaves its counts (they stay in the totals) but no live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
