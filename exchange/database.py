"""Database engine behaviour that the models and services rely on.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign
keys on, and transactions begun by SQLAlchemy rather than by the sqlite3
module, so that a write service can start its transaction IMMEDIATE: a
deferred transaction that reads and then writes fails with "database is
locked" under concurrent load, whatever the busy timeout.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_BEGIN_OPTION = "sqlite_begin"


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


def begin_write() -> None:
    """Start the session's transaction as a writer, before its first read.

    On SQLite the write lock is taken now (BEGIN IMMEDIATE), so the reads a
    service makes before writing see the state its writes will apply to. A
    read-only transaction the caller left open (loading the event to render a
    form) is committed first; loaded objects reload on next access. On
    PostgreSQL this only ends such a transaction: row locks and conditional
    updates do the rest.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    # SEAT_LOCKING=False exists only for the concurrency test's negative control.
    mode = "IMMEDIATE" if current_app.config["SEAT_LOCKING"] else "DEFERRED"
    session.connection(execution_options={_BEGIN_OPTION: mode})
