"""Migration 3b7e1c9d2a40 drops the stored bodies (and their live links) and keeps unsent mail sendable."""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from exchange import create_app
from exchange.extensions import db

BEFORE = "f17784da2ff7"


def _legacy_row(kind: str, status: str) -> dict:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    return {"kind": kind, "recipient": "lan@example.com", "language": "vi", "subject": "s", "message_id": f"<{kind}@x>",
            "body_text": "https://events.example.test/vi/r/SECRET-TOKEN", "body_html": "<a href='/vi/r/SECRET-TOKEN'>",
            "status": status, "attempts": 0, "next_attempt_at": now, "created_at": now, "last_error": ""}  # fmt: skip


def test_the_upgrade_forgets_stored_links_and_keeps_what_each_email_says(scratch_url, config_for):
    app = create_app(config_for(scratch_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        outbox = sa.Table("outbox_message", sa.MetaData(), autoload_with=db.engine)
        with db.engine.begin() as connection:
            connection.execute(outbox.insert(), [
                _legacy_row("registration_approved", "queued"), _legacy_row("registration_confirmed", "sent"),
                _legacy_row("broadcast", "queued"), _legacy_row("broadcast", "sent"),
            ])  # fmt: skip
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM outbox_message ORDER BY id")).mappings().all()
            dump = [str(value) for row in rows for value in row.values()]
        assert not [value for value in dump if "SECRET-TOKEN" in value]
        assert [(row["template"], row["status"]) for row in rows] == [
            ("registration", "queued"), ("registration", "sent"), ("broadcast", "failed"), ("broadcast", "sent"),
        ]  # fmt: skip
        # SQLite hands JSON back as text to a plain query, PostgreSQL as a dict.
        contexts = [json.loads(row["context"]) if isinstance(row["context"], str) else row["context"] for row in rows]
        assert contexts[0] == {"notice": "approved", "organizer_message": ""}
        assert "send it again" in rows[2]["last_error"]
        downgrade(revision=BEFORE)
        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("outbox_message")}
        assert {"body_text", "body_html"} <= columns and not {"template", "context"} & columns
        db.engine.dispose()
