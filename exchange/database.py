"""Database engine behaviour that the models and services rely on.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign
keys on, and transactions begun by SQLAlchemy rather than by the sqlite3
module, so that a write service can start its transaction IMMEDIATE: a
deferred transaction that reads and then writes fails with "database is
locked" under concurrent load, whatever the busy timeout. Writers of one
SQLite file also queue on a file lock first (`SqliteWriterGate`).
"""

from __future__ import annotations

import fcntl
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_BEGIN_OPTION = "sqlite_begin"
_WRITING = "exchange.writing"
_AFTER_WRITE = "exchange.after_write"
P = ParamSpec("P")
R = TypeVar("R")


_GATE_EXTENSION = "exchange.sqlite_writer_gate"


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_seconds=app.config["SQLITE_BUSY_TIMEOUT"])
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            app.extensions[_GATE_EXTENSION] = SqliteWriterGate(database + "-writer", app.config["SQLITE_BUSY_TIMEOUT"])


class SqliteWriterGate:
    """One writer at a time per SQLite file, for every thread and process on the machine, handed over at once.

    A writer that finds SQLite's write lock taken sleeps in SQLite's busy
    handler and retries 1, 2, 5, ... then 100 ms later: under a rush most of
    a request's time goes in those sleeps, and who gets the lock next is
    luck. Writers here first take this gate: threads of a process queue on a
    lock that wakes the next one the moment it is released, and one thread per
    process then takes an exclusive `flock` on `<database>-writer` (which the
    kernel releases if the process dies), polling at sub-millisecond steps.
    After `timeout` seconds a writer goes on without the gate and SQLite's
    own busy timeout decides, as before. Readers never wait for it (WAL).
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._in_process = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self) -> bool:
        """Wait for the gate; False when `timeout` passed first (the caller goes on without it)."""
        deadline = time.monotonic() + self.timeout
        if not self._in_process.acquire(timeout=self.timeout):
            return False
        try:
            fd = self._file()
            pause = 0.0002
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except OSError:
            pass  # no lock file (a read-only directory): SQLite's busy timeout alone, as before
        self._in_process.release()
        return False

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._in_process.release()

    def _file(self) -> int:
        # One descriptor per process: a descriptor inherited across fork shares its lock with the parent.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd


def _configure_sqlite(engine: Engine, busy_timeout_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let the "begin" listener below emit BEGIN; the driver's own is always DEFERRED.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def locking_enabled() -> bool:
    """False only in the concurrency tests' negative controls (config LOCKING)."""
    return bool(current_app.config["LOCKING"])


def _begin_as_writer() -> None:
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("unsaved changes outside a write transaction")
        # A read-only transaction the caller left open (loading the event to render a form).
        session.rollback()
    mode = "IMMEDIATE" if locking_enabled() else "DEFERRED"
    session.connection(execution_options={_BEGIN_OPTION: mode})


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block as one write transaction: begun as a writer, committed once, rolled back on any exception.

    On SQLite the write lock is taken at the start (BEGIN IMMEDIATE), so the
    reads a service makes before writing see the state its writes apply to.
    On PostgreSQL the transaction is a plain one: services lock the rows they
    decide on (`FOR UPDATE`) or make their writes conditional. Domain
    refusals (ExchangeError) roll back like any other exception, so a
    refused action never leaves a transaction, or SQLite's write lock, open
    while the view renders. Nested blocks join the outer one.
    """
    session = db.session()
    if session.info.get(_WRITING):
        yield
        return
    gate = current_app.extensions.get(_GATE_EXTENSION) if locking_enabled() else None
    if gate is not None and not gate.acquire():
        gate = None
    committed = False
    try:
        _begin_as_writer()
        session.info[_WRITING] = True
        yield
        session.commit()
        committed = True
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_WRITING, None)
        if gate is not None:
            gate.release()
        callbacks = session.info.pop(_AFTER_WRITE, [])
    if committed:
        for callback in callbacks:
            callback()


def after_write(callback: Callable[[], object]) -> None:
    """Run `callback` once the current write transaction has committed and let the next writer in.

    For work that must follow the commit but need not hold SQLite's writer
    gate (replacing the page cache's version writes a file); outside a write
    transaction it runs at once. Dropped if the transaction rolls back.
    """
    session = db.session()
    if session.info.get(_WRITING):
        session.info.setdefault(_AFTER_WRITE, []).append(callback)
    else:
        callback()


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service function so its whole body is one `write_transaction`."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with write_transaction():
            return function(*args, **kwargs)

    return wrapper


def for_update(statement):
    """`statement` locking its rows: FOR NO KEY UPDATE on PostgreSQL; nothing on SQLite (IMMEDIATE excludes other writers).

    NO KEY UPDATE, not FOR UPDATE: inserting a row that refers to a locked
    one (a registration of the event, a delegate of the registration) takes
    a KEY SHARE lock on it, which FOR UPDATE waits for and NO KEY UPDATE does
    not. Registrations insert their rows before they lock the event row, so
    with FOR UPDATE two of them, each waiting for the other's key-share
    lock, would deadlock. The locks taken here still exclude each other, and
    the seat UPDATE, as before.
    """
    return statement.with_for_update(key_share=True) if locking_enabled() else statement
