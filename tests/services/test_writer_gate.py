"""SQLite writers queue on a file lock before BEGIN IMMEDIATE (database.SqliteWriterGate)."""

import multiprocessing
import threading
import time

import pytest
from sqlalchemy import update

from exchange import caching
from exchange.database import SqliteWriterGate, write_transaction
from exchange.extensions import db
from exchange.models import Event
from exchange.services.registrations import register


def _hold_in_another_process(path: str, held: multiprocessing.Event, release: multiprocessing.Event) -> None:
    gate = SqliteWriterGate(path, timeout=5)
    assert gate.acquire()
    held.set()
    release.wait(5)
    gate.release()


def test_a_writer_waits_for_another_process_and_gets_the_gate_the_moment_it_is_released(tmp_path):
    path = str(tmp_path / "db.sqlite3-writer")
    held, release = multiprocessing.Event(), multiprocessing.Event()
    other = multiprocessing.get_context("fork").Process(target=_hold_in_another_process, args=(path, held, release))
    other.start()
    try:
        assert held.wait(5)
        gate = SqliteWriterGate(path, timeout=5)
        got = {}

        def writer():
            got["gate"] = gate.acquire()
            got["at"] = time.monotonic()

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.3)
        assert "gate" not in got  # still waiting for the other process
        released_at = time.monotonic()
        release.set()
        thread.join(5)
        assert got["gate"] is True
        assert got["at"] - released_at < 0.25  # handed over at once, not after a busy handler's sleeps
        gate.release()
    finally:
        release.set()
        other.join(5)


def test_threads_of_one_process_take_turns_and_a_timeout_goes_on_without_the_gate(tmp_path):
    gate = SqliteWriterGate(str(tmp_path / "db.sqlite3-writer"), timeout=0.2)
    assert gate.acquire()
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(got=gate.acquire()))
    started = time.monotonic()
    thread.start()
    thread.join(5)
    assert outcome["got"] is False and 0.15 < time.monotonic() - started < 2
    gate.release()
    assert gate.acquire()  # free again
    gate.release()


def test_write_transactions_on_a_sqlite_file_pass_through_the_gate(app, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the gate is for SQLite files; PostgreSQL locks rows")
    gate = app.extensions["exchange.sqlite_writer_gate"]
    assert gate.acquire()  # another writer holds it
    finished = threading.Event()

    def write():
        with app.app_context():
            with write_transaction():
                db.session.execute(db.text("SELECT 1"))
            finished.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert not finished.wait(0.3)  # the write waits for the holder
    gate.release()
    assert finished.wait(5)
    thread.join(5)


def test_the_page_cache_is_invalidated_after_the_next_writer_may_go_in(app, database_url, make_event, individual, monkeypatch):
    """Replacing the cache version writes a file: the writer gate is released first, and a rollback replaces nothing."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the gate is for SQLite files; PostgreSQL locks rows")
    gate = app.extensions["exchange.sqlite_writer_gate"]
    event = make_event(capacity=1)
    held_while_bumping: list[bool] = []
    monkeypatch.setattr(caching, "bump_content_version", lambda: held_while_bumping.append(gate._in_process.locked()))
    register(event.id, individual(email="lan@example.com"))
    assert held_while_bumping == [False]
    with pytest.raises(RuntimeError), write_transaction():
        db.session.execute(update(Event).where(Event.id == event.id).values(capacity=2))
        raise RuntimeError("rolled back")
    assert held_while_bumping == [False]
