"""Database engine behaviour that the models and services rely on.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign
keys on, and transactions begun by SQLAlchemy rather than by the sqlite3
module, so that a write service can start its transaction IMMEDIATE: a
deferred transaction that reads and then writes fails with "database is
locked" under concurrent load, whatever the busy timeout.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_BEGIN_OPTION = "sqlite_begin"
_WRITING = "exchange.writing"
P = ParamSpec("P")
R = TypeVar("R")


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_seconds=app.config["SQLITE_BUSY_TIMEOUT"])


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
    _begin_as_writer()
    session.info[_WRITING] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_WRITING, None)


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service function so its whole body is one `write_transaction`."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with write_transaction():
            return function(*args, **kwargs)

    return wrapper


def for_update(statement):
    """`statement` with FOR UPDATE (a no-op on SQLite, whose IMMEDIATE transaction excludes other writers)."""
    return statement.with_for_update() if locking_enabled() else statement
