"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Override any of them on the command line (`--workers 8 --threads 8`) or with GUNICORN_CMD_ARGS.

Threaded workers (gthread): a sync worker serves one connection at a time,
so a few clients that send their request slowly (a phone on a weak network,
or someone doing it on purpose) hold every worker and get them killed at
`timeout`. A gthread worker waits for each connection's data without
holding a thread, and serves `threads` requests at once. Still put a
buffering proxy in front (docs/nginx.conf): it absorbs slow uploads and
downloads entirely.
"""

import multiprocessing
import os
import sys

from exchange import logs

bind = "0.0.0.0:8000"
worker_class = "gthread"
workers = multiprocessing.cpu_count() + 1
threads = 4
timeout = 30
# Seconds an idle keep-alive connection (or one that has sent nothing yet) is kept before it is closed.
keepalive = 5
accesslog = "-"

# Manage tokens, ticket codes, emails and back-office searches are blanked out of every
# line gunicorn logs (access and error), as they are in the app's own log.
logs.install()


def on_starting(server):
    """Give each worker's database pool one connection per thread (unless configured otherwise).

    Runs once in the master with the final settings (command line included);
    the workers inherit the variable and create_app() reads it.
    """
    os.environ.setdefault("EXCHANGE_DATABASE_POOL_SIZE", str(server.cfg.threads))
    _warn_if_limits_are_per_worker(server)


def _warn_if_limits_are_per_worker(server) -> None:
    """Rate limits and login throttles kept in memory count per worker: with several, each attacker gets several budgets."""
    storage = os.environ.get("EXCHANGE_RATELIMIT_STORAGE_URI", "")
    if not storage:
        from exchange import create_app

        storage = create_app().config["RATELIMIT_STORAGE_URI"]
    workers = getattr(server.cfg, "workers", 1)
    if workers > 1 and storage.startswith("memory://"):
        server.log.warning(
            "Rate limits use memory:// storage with %s workers: each worker counts on its own, so every limit is "
            "%s times looser. Set EXCHANGE_RATELIMIT_STORAGE_URI=redis://... in production.",
            workers,
            workers,
        )


def post_fork(server, worker):
    """Let a thread that holds a write lock have the GIL back within 0.5 ms rather than Python's 5 ms.

    A thread inside a write transaction (SQLite's write lock, or PostgreSQL's
    lock on an event row that every registration for the event takes) gives
    up the GIL at every statement; while the worker's other threads parse
    and render, it waits up to a switch interval to get it back, and every
    writer behind it waits too. With the 5 ms default a registration held
    the lock for tens of milliseconds under load (`make bench`: 68
    registrations per second; see docs/benchmarks.md for the figures now).
    EXCHANGE_SWITCH_INTERVAL (seconds) overrides it.
    """
    sys.setswitchinterval(float(os.environ.get("EXCHANGE_SWITCH_INTERVAL", "0.0005")))
