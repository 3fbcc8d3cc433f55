"""Slow clients cannot stall the production server.

Three connections send a request one header line every two seconds (as a
phone on a bad network would, or someone on purpose); meanwhile /healthz
must still answer within a second. The negative control runs the same
against sync workers, which each such client holds for as long as it likes.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import socket
import threading
import time
import types
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from exchange import create_app
from exchange.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ["-c", "gunicorn.conf.py"]


@contextlib.contextmanager
def slow_clients(base_url: str, count: int = 3, interval: float = 2.0):
    """`count` connections that each send a header line every `interval` seconds until the block ends."""
    address = urlsplit(base_url)
    stop = threading.Event()
    sockets = [socket.create_connection((address.hostname, address.port)) for _ in range(count)]

    def dribble(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            line = 0
            while not stop.wait(interval):
                line += 1
                sock.sendall(f"X-Slow-{line}: {'x' * 10}\r\n".encode())

    threads = [threading.Thread(target=dribble, args=(sock,), daemon=True) for sock in sockets]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # let every slow client reach the server first
        yield
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        for thread in threads:
            thread.join(timeout=5)


def _healthz_seconds(base_url: str) -> float | None:
    """Seconds /healthz took to answer 200, or None when it did not within one second."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=1) as response:
            assert response.status == 200
    except TimeoutError:
        return None
    return time.monotonic() - started


def test_three_slow_clients_do_not_delay_healthz(start_server):
    with start_server(workers=2, extra_args=PRODUCTION) as base_url, slow_clients(base_url):
        timings = []
        for _ in range(4):  # over about five seconds: past two slow header lines
            timings.append(_healthz_seconds(base_url))
            time.sleep(1)
    assert all(seconds is not None and seconds < 1 for seconds in timings), timings


def test_negative_control_sync_workers_are_stalled_by_the_same_clients(start_server):
    # gunicorn reads gunicorn.conf.py in any case (its default file), and with threads > 1 it runs gthread for sync.
    sync = ["--worker-class", "sync", "--threads", "1"]
    with start_server(workers=2, extra_args=sync) as base_url, slow_clients(base_url):
        assert _healthz_seconds(base_url) is None


def test_each_worker_pool_has_a_connection_per_thread(monkeypatch):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["worker_class"] == "gthread"
    monkeypatch.delenv("EXCHANGE_DATABASE_POOL_SIZE", raising=False)  # restored after the test
    settings["on_starting"](types.SimpleNamespace(cfg=types.SimpleNamespace(threads=6)))
    assert os.environ["EXCHANGE_DATABASE_POOL_SIZE"] == "6"

    # What a worker's create_app() then reads (test_config stands in for the environment here).
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "DATABASE_POOL_SIZE": int(os.environ["EXCHANGE_DATABASE_POOL_SIZE"])})  # fmt: skip
    with app.app_context():
        assert db.engine.pool.size() == 6
        assert db.engine.hide_parameters
