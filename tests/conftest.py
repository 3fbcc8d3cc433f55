"""Fixtures: an app per test on SQLite (default) or PostgreSQL (TEST_DATABASE_URL).

With TEST_DATABASE_URL set, the session creates its own database on that
server and drops it at the end. The schema is built once per session by the
migrations (so every run also proves they work), and each test starts from
empty tables.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import socket
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import event as sqlalchemy_event

from exchange import create_app
from exchange.extensions import db
from exchange.models import Category, Event, EventStatus, EventTranslation, utcnow
from exchange.services.export_jobs import wait_for_exports
from exchange.services.seats import seat_drift


def _make_postgres_database(server_url: str) -> tuple[str, callable]:
    url = sa.make_url(server_url)
    name = f"exchange_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        url, drop = _make_postgres_database(server_url)
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}", lambda: None
    app = create_app(_test_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    drop()


def _test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "https://events.example.test",
        "CACHE_TYPE": "SimpleCache",  # one per app, so no test sees another's pages
    }


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the kind the suite runs on, for migrating by hand."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    url, drop = _make_postgres_database(server_url)
    yield url
    drop()


@pytest.fixture
def config_for():
    """The tests' app configuration for a database URL."""
    return _test_config


@pytest.fixture
def app(database_url, request, tmp_path):
    app = create_app(
        _test_config(database_url)
        | {
            "EXPORTS_DIR": str(tmp_path / "exports"),
            "MEDIA_DIR": str(tmp_path / "media"),
            "ANSWER_FILES_DIR": str(tmp_path / "answer-files"),
        }
    )
    with app.app_context():
        yield app
        wait_for_exports()  # a background export still reading would see its tables emptied
        db.session.remove()
        drift = [] if request.node.get_closest_marker("seat_drift_expected") else seat_drift()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()
    # `flask check-seats` after every test: whatever a test did, the counters match the registrations.
    assert drift == [], "seat counters differ from the seats that registrations hold"


@pytest.fixture
def statements(app):
    """The SQL statements run while the block runs (a page answered by the front runs none)."""
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    sqlalchemy_event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_slugs = itertools.count(1)


@pytest.fixture
def make_event(app):
    """Create a published event open for registration; any column can be overridden.

    `titles` maps languages to titles (default: English and Vietnamese).
    """

    def make(titles: dict[str, str] | None = None, **overrides) -> Event:
        now = utcnow().replace(microsecond=0)
        starts_at = overrides.pop("starts_at", now + timedelta(days=30))
        values = {
            "slug": f"event-{next(_slugs)}",
            "status": EventStatus.PUBLISHED,
            "category": Category.CULTURE,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=3),
            "timezone": "Asia/Ho_Chi_Minh",
            "venue_name": "Bến Ninh Kiều",
            "venue_address": "Hai Bà Trưng, Ninh Kiều, Cần Thơ",
            "capacity": 50,
            "registration_opens_at": now - timedelta(days=1),
            "registration_closes_at": starts_at - timedelta(days=1),
            "allows_individuals": True,
            "allows_delegations": True,
            "max_delegation_size": 10,
            "partner_countries": [],
        }
        values.update(overrides)
        event = Event(**values)
        for lang, title in (titles or {"en": "Test event", "vi": "Sự kiện thử"}).items():
            event.translations.append(
                EventTranslation(lang=lang, title=title, summary=f"{title} summary", description=f"About **{title}**.")
            )
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def happening_now():
    """make_event overrides for an event under way (its check-in day), still taking registrations."""
    now = utcnow().replace(microsecond=0)
    return {
        "starts_at": now - timedelta(hours=1),
        "registration_opens_at": now - timedelta(days=2),
        "registration_closes_at": now + timedelta(hours=2),
    }


@pytest.fixture
def individual():
    """Build an individual's RegistrationRequest; keyword arguments override its contact fields."""
    from exchange.models import AttendeeCategory, RegistrationKind
    from exchange.services.registrations import ContactData, RegistrationRequest

    def build(email: str = "lan@example.com", language: str = "vi", **contact) -> RegistrationRequest:
        values = {"full_name": "Nguyễn Thị Lan", "category": AttendeeCategory.STUDENT, "country": "VN"} | contact
        return RegistrationRequest(
            kind=RegistrationKind.INDIVIDUAL, email=email, language=language, contact=ContactData(**values)
        )

    return build


@pytest.fixture
def delegation():
    """Build a delegation's RegistrationRequest with `size` delegates."""
    from exchange.models import RegistrationKind
    from exchange.services.registrations import ContactData, DelegateData, RegistrationRequest

    def build(size: int = 3, email: str = "consulate@example.org", language: str = "ko") -> RegistrationRequest:
        contact = ContactData(full_name="Kim Min-jun", position="Consul", organization="Consulate General of Korea", country="KR")
        delegates = [
            DelegateData(full_name=f"Delegate {number}", nationality="KR", interpreter_language="ko")
            for number in range(1, size + 1)
        ]
        return RegistrationRequest(
            kind=RegistrationKind.DELEGATION, email=email, language=language, contact=contact, delegates=delegates
        )

    return build


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts (parsed, and as `raw` bytes); `replies` are answered to DATA first."""

    def __init__(self):
        self.messages = []
        self.raw = []
        self.replies = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.replies:
            return self.replies.pop(0)
        self.raw.append(envelope.original_content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SMTPServer:
    """A real SMTP server on a loopback port, which tests can stop and start again."""

    def __init__(self):
        self.mailbox = Mailbox()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.mailbox.messages


@pytest.fixture
def smtp_server(app):
    """Start an SMTP server and point the app's mail settings at it."""
    from exchange.services import mailer

    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, OUTBOX_RETRY_BASE_SECONDS=0)
    mailer.init_app(app)
    yield server
    server.stop()


_FAST_HASH = {}


@pytest.fixture
def make_user(app):
    """Create an account (password "correct horse battery staple"); `events` are assigned to it.

    Administrators get a TOTP secret (`totp_secret`), as they must have one to use the back office.
    """
    import pyotp
    from werkzeug.security import generate_password_hash

    from exchange.models import User, UserRole

    def make(email: str, role: str = "organizer", events=(), language: str = "en", totp_secret: str | None = None) -> User:
        if "hash" not in _FAST_HASH:  # hashing is slow on purpose; do it once per test session
            _FAST_HASH["hash"] = generate_password_hash("correct horse battery staple")
        user = User(email=email, role=UserRole(role), language=language, password_hash=_FAST_HASH["hash"])
        user.totp_secret = totp_secret or (pyotp.random_base32() if role == "admin" else None)
        user.events = list(events)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Sign the test client in as `user` (or out, with None)."""

    def sign_in(user) -> None:
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()  # with the session version, as Flask-Login stores it
                session["_fresh"] = True

    return sign_in


@pytest.fixture
def xlsx_export(client):
    """Ask for `url` (an export.xlsx) as the signed-in client and wait, like its progress page, until the file is built.

    Returns the progress page's path and the download response.
    """

    def export(url: str):
        started = client.get(url)
        assert started.status_code == 303, started.status_code
        progress = started.headers["Location"]
        deadline = time.monotonic() + 20
        while 'http-equiv="refresh" content="2"' in (page := client.get(progress).get_data(as_text=True)):
            assert time.monotonic() < deadline, "the export is still running"
            time.sleep(0.05)
        assert "/download" in page, page
        return progress, client.get(progress + "download")

    return export
