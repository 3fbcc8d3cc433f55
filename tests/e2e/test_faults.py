"""Faults survived: the database away for seconds, a worker killed, the server restarted, all mid-burst.

Forty visitors load the registration form, then send it one after another
over a few seconds while the fault happens. A visitor who gets the "try again"
page (503, Retry-After) sends the form it kept; one whose connection dropped
presses again. Nobody may ever see a 500; at the end every visitor is
registered exactly once, every stored registration is complete (its history
and its one queued email), and `flask check-seats` is clean.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import threading
import time
import urllib.error
from collections import Counter
from html import unescape

import sqlalchemy as sa
from browser_session import Session
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.models import OutboxMessage, Registration, RegistrationChange

VISITORS = 40
SPACING = 0.15  # seconds between two visitors' first POST: a burst of about six seconds
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class Visitor:
    """One person sending the registration form until it is taken, as a person would."""

    def __init__(self, base_url: str, slug: str, number: int):
        self.session = Session(base_url)
        self.path = f"/en/events/{slug}/register"
        self.number = number
        self.seen: list[int | str] = []  # HTTP statuses, or "dropped" when the connection failed
        self.kept_form_worked = False

    def load_form(self) -> None:
        self.session.get(self.path)

    def data(self) -> dict:
        return {
            "csrf_token": self.session.token, "full_name": f"Khách {self.number}", "email": f"guest{self.number}@example.com",
            "category": "student", "country": "VN", "consent": "y",
        }  # fmt: skip

    def send(self, deadline: float) -> None:
        data = self.data()
        while time.monotonic() < deadline:
            try:
                answer = self.session.request(self.path, data, timeout=30)
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
                self.seen.append("dropped")
                time.sleep(0.5)
                continue
            self.seen.append(answer.status)
            if answer.status == 503:
                assert answer.headers.get("Retry-After"), "a 503 says when to try again"
                kept = {unescape(name): unescape(value) for name, value in HIDDEN.findall(answer.body)}
                assert kept.get("full_name") == data["full_name"], "the 503 page keeps what was typed"
                data, self.kept_form_worked = kept, True
                time.sleep(1)
                continue
            if answer.status in (303, 200):
                return  # registered, or (when the first try had gone through) the neutral "already registered" page
            raise AssertionError(f"visitor {self.number} got {answer.status}")
        raise AssertionError(f"visitor {self.number} never got through: {self.seen}")


def _burst(base_url: str, slug: str, fault, fault_at: float = 1.5, spacing: float = SPACING) -> list[Visitor]:
    """Every visitor loads the form, then sends it in turn; `fault()` runs `fault_at` seconds into the burst."""
    visitors = [Visitor(base_url, slug, number) for number in range(VISITORS)]
    for visitor in visitors:
        visitor.load_form()
    deadline = time.monotonic() + 90
    threads = []
    for visitor in visitors:
        thread = threading.Thread(target=visitor.send, args=(deadline,))
        threads.append(thread)
    start = time.monotonic()
    faulting = threading.Thread(target=lambda: (time.sleep(fault_at), fault()))
    faulting.start()
    for index, thread in enumerate(threads):
        time.sleep(max(0, start + index * spacing - time.monotonic()))
        thread.start()
    for thread in threads:
        thread.join()
    faulting.join()
    return visitors


def _check(runner, event_id: int, visitors: list[Visitor]) -> Counter:
    """What every fault test asserts afterwards; returns all the answers seen, for the figures."""
    db.session.remove()
    db.engine.dispose()  # the test's own pooled connections may have been cut by the fault
    seen = Counter(status for visitor in visitors for status in visitor.seen)
    assert not any(isinstance(status, int) and status >= 500 and status != 503 for status in seen), seen
    emails = Counter(db.session.scalars(select(Registration.email).where(Registration.event_id == event_id)))
    assert emails == Counter({f"guest{n}@example.com": 1 for n in range(VISITORS)}), "each visitor registered once"
    ids = select(Registration.id).where(Registration.event_id == event_id)
    history = db.session.scalar(
        select(func.count())
        .select_from(RegistrationChange)
        .where(RegistrationChange.registration_id.in_(ids), RegistrationChange.action == "registered")
    )
    queued = Counter(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.registration_id.in_(ids))))
    assert history == VISITORS, "every stored registration is complete"
    link_emails = queued.pop("registration_link", 0)  # a press again after a first try that had gone through
    assert queued == Counter({"registration_confirmed": VISITORS}), "one confirmation per registration, none twice"
    check = runner.invoke(args=["check-seats"])
    assert check.exit_code == 0, check.output
    print(f"\nFAULT answers={dict(seen)} kept-form resends={sum(v.kept_form_worked for v in visitors)} links={link_emails}")
    return seen


def _database_name(url: str) -> str:
    return sa.make_url(url).database


def test_the_database_away_for_three_seconds_loses_and_doubles_nothing(start_server, runner, make_event, database_url, tmp_path):
    event = make_event(capacity=200, slug="yoga-day-outage")
    event_id, slug = event.id, event.slug
    if database_url.startswith("postgresql"):
        admin = sa.create_engine(sa.make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        name = _database_name(database_url)

        def outage():
            with admin.connect() as connection:
                connection.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                time.sleep(3)
                connection.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')

        settings = {}
    else:
        path = sa.make_url(database_url).database

        def outage():
            # Another process holds the write lock past the app's busy timeout.
            other = sqlite3.connect(path, timeout=5, isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")
            time.sleep(3)
            other.execute("ROLLBACK")
            other.close()

        settings = {"SQLITE_BUSY_TIMEOUT": "0.5"}
    db.session.remove()
    try:
        with start_server(workers=2, threads=4, **settings) as base_url:
            visitors = _burst(base_url, slug, outage)
            # Once the database is back, no pooled connection that it cut fails anyone.
            after = [Session(base_url).get(f"/en/events/{slug}/register").status for _ in range(16)]
        assert after == [200] * 16
    finally:
        if database_url.startswith("postgresql"):
            admin.dispose()
    seen = _check(runner, event_id, visitors)
    assert seen[503] > 0, "the outage was met: some visitors got the try-again page"
    assert any(visitor.kept_form_worked for visitor in visitors)


def _workers(master_pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == master_pid:
                        children.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    return children


def test_a_worker_killed_mid_burst_loses_and_doubles_nothing(start_server, runner, make_event):
    event = make_event(capacity=200, slug="yoga-day-kill")
    event_id, slug = event.id, event.slug
    db.session.remove()
    with start_server(workers=2, threads=4) as base_url:

        def kill_a_worker():
            os.kill(_workers(base_url.process.pid)[0], signal.SIGKILL)

        # A dense burst, so that the killed worker has requests in hand.
        visitors = _burst(base_url, slug, kill_a_worker, fault_at=0.15, spacing=0.005)
    seen = _check(runner, event_id, visitors)
    assert seen["dropped"] > 0, "the kill was met: some visitors' connections dropped and they pressed again"


def test_a_server_restarted_mid_burst_loses_and_doubles_nothing(start_server, runner, make_event):
    event = make_event(capacity=200, slug="yoga-day-restart")
    event_id, slug = event.id, event.slug
    db.session.remove()
    with start_server(workers=2, threads=4) as first:
        port, restarted = first.port, threading.Event()
        visitors_box: list[list[Visitor]] = []

        def restart():
            first.process.send_signal(signal.SIGTERM)  # graceful: requests in hand are finished
            first.process.wait(timeout=30)
            restarted.set()

        burst = threading.Thread(target=lambda: visitors_box.append(_burst(first, slug, restart)))
        burst.start()
        assert restarted.wait(60)
        with start_server(workers=2, threads=4, port=port):
            burst.join()
    _check(runner, event_id, visitors_box[0])
