"""Configuration layers, the generated secret key, and migrations that match the models."""

import os
import stat
import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from exchange import _instance_secret_key, create_app
from exchange.extensions import db


def test_migrations_build_exactly_the_schema_of_the_models(app):
    # The session's database was built by `flask db upgrade`; nothing may differ from the models.
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    path = tmp_path / "secret_key"
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(_instance_secret_key(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert _instance_secret_key(path) == keys[0]
    assert list(tmp_path.iterdir()) == [path]


def test_environment_variables_override_defaults(monkeypatch):
    monkeypatch.setenv("EXCHANGE_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("EXCHANGE_EVENTS_PER_PAGE", "7")
    monkeypatch.setenv("EXCHANGE_SQLALCHEMY_DATABASE_URI", "sqlite://")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["EVENTS_PER_PAGE"] == 7


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.sqlite3'}"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
