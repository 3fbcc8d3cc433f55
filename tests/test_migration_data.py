"""Migrations keep the rows already there: upgrading an installation loses nobody."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from exchange import create_app
from exchange.extensions import db


def _insert_event(connection, slug: str, *, seats_taken: int, now: datetime) -> None:
    """Event 1, in the columns every revision tested here has."""
    connection.execute(
        sa.text(
            "INSERT INTO event (id, slug, status, category, starts_at, ends_at, timezone, venue_name, venue_address,"
            " capacity, seats_taken, registration_opens_at, registration_closes_at, allows_individuals,"
            " allows_delegations, max_delegation_size, partner_countries, created_at, updated_at)"
            " VALUES (1, :slug, 'published', 'culture', :now, :later, 'Asia/Ho_Chi_Minh', 'Hall', '', 10, :seats,"
            " :now, :later, true, true, 5, '[]', :now, :now)"
        ),
        {"slug": slug, "seats": seats_taken, "now": now, "later": now + timedelta(hours=1)},
    )


def _insert_delegation(connection, number: int, status: str, *, now: datetime) -> None:
    """Registration `number`: a delegation of two delegates for event 1, in the columns every revision tested here has."""
    connection.execute(
        sa.text(
            "INSERT INTO registration (id, event_id, kind, status, reference, seats, full_name, email,"
            " email_normalized, phone, organization, country, position, notes, language, consent_at,"
            " created_at, updated_at) VALUES (:id, 1, 'delegation', :status, :reference, 2, 'Kim',"
            " :email, :email, '', '', 'KR', '', '', 'ko', :now, :now, :now)"
        ),
        {"id": number, "status": status, "reference": f"CT-AAAA-000{number}", "email": f"c{number}@example.org", "now": now},
    )
    for order in (0, 1):
        connection.execute(
            sa.text(
                "INSERT INTO delegate (registration_id, sort_order, full_name, position, nationality,"
                " dietary, interpreter_language) VALUES (:id, :order, 'Delegate', '', 'KR', '', 'ko')"
            ),
            {"id": number, "order": order},
        )


def test_upgrading_keeps_every_row_and_gives_keys_to_existing_attendees(scratch_url, config_for):
    app = create_app(config_for(scratch_url))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="6df5111d08e0")
        with db.engine.begin() as connection:
            _insert_event(connection, "yoga", seats_taken=4, now=now)
            connection.execute(
                sa.text(
                    "INSERT INTO user_account (id, email, password_hash, role, language, active, created_at)"
                    " VALUES (1, 'lan@example.org', 'x', 'organizer', 'vi', true, :now)"
                ),
                {"now": now},
            )
            connection.execute(sa.text("INSERT INTO event_assignment (user_id, event_id) VALUES (1, 1)"))
            for number in (1, 2):
                _insert_delegation(connection, number, "confirmed", now=now)
                connection.execute(
                    sa.text("INSERT INTO manage_token (registration_id, token_hash, created_at) VALUES (:id, :hash, :now)"),
                    {"id": number, "hash": f"{number:064d}", "now": now},
                )
        upgrade()
        with db.engine.connect() as connection:
            registrations = connection.execute(sa.text("SELECT ticket_key, consent_version FROM registration")).all()
            delegates = connection.execute(sa.text("SELECT ticket_key FROM delegate")).scalars().all()
            row_keys = connection.execute(sa.text("SELECT key FROM delegate")).scalars().all()
            confirmed = connection.execute(sa.text("SELECT count(*) FROM registration WHERE address_confirmed_at IS NOT NULL"))
            confirmed = confirmed.scalar()
            tokens = connection.execute(sa.text("SELECT count(*) FROM manage_token")).scalar()
            assignments = connection.execute(sa.text("SELECT user_id, event_id FROM event_assignment")).all()
        db.engine.dispose()
    assert [version for _, version in registrations] == ["", ""]
    keys = [key for key, _ in registrations] + delegates
    assert len(delegates) == 4 and tokens == 2
    assert [tuple(row) for row in assignments] == [(1, 1)]  # rebuilding user_account (new roles) kept its assignments
    assert len(set(keys)) == 6 and all(len(key) == 22 for key in keys)
    assert len(set(row_keys)) == 4 and None not in row_keys  # each delegate's edit-form key
    assert confirmed == 2  # delegations from before address confirmation count as confirmed


def test_upgrading_folds_the_names_and_titles_already_there(scratch_url, config_for):
    app = create_app(config_for(scratch_url))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="3b7e2c9d4f10")
        with db.engine.begin() as connection:
            _insert_event(connection, "don-ca", seats_taken=2, now=now)
            connection.execute(
                sa.text(
                    "INSERT INTO event_translation (event_id, lang, title, summary, description)"
                    " VALUES (1, 'vi', 'Đờn ca tài tử', 'Bến Ninh Kiều', '')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO registration (id, event_id, kind, status, reference, seats, full_name, email,"
                    " email_normalized, phone, organization, country, position, notes, language, consent_at,"
                    " created_at, updated_at) VALUES (1, 1, 'delegation', 'confirmed', 'CT-AAAA-0001', 1, 'Đoàn Thị Bích',"
                    " 'b@example.org', 'b@example.org', '', 'ĐẠI HỌC Cần Thơ', 'VN', '', '', 'vi', :now, :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO delegate (registration_id, sort_order, full_name, position, nationality, dietary,"
                    " interpreter_language) VALUES (1, 0, 'Ｎｇｕｙễｎ Văn An', '', 'VN', '', '')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            registration = connection.execute(sa.text("SELECT search_text FROM registration")).scalar()
            delegate = connection.execute(sa.text("SELECT search_text FROM delegate")).scalar()
            translation = connection.execute(sa.text("SELECT search_text FROM event_translation")).scalar()
        db.engine.dispose()
    assert registration == "doan thi bich\ndai hoc can tho\nct-aaaa-0001"
    assert delegate == "nguyen van an"
    assert translation == "don ca tai tu\nben ninh kieu"


def test_upgrading_approves_the_delegates_of_approved_delegations_only(scratch_url, config_for):
    app = create_app(config_for(scratch_url))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="7a3c9e2d4b61")
        with db.engine.begin() as connection:
            _insert_event(connection, "viet-han", seats_taken=4, now=now)
            for number, status in enumerate(("confirmed", "pending", "declined", "waitlisted"), start=1):
                _insert_delegation(connection, number, status, now=now)
        upgrade()
        with db.engine.connect() as connection:
            statuses = connection.execute(
                sa.text("SELECT registration_id, status FROM delegate ORDER BY registration_id, sort_order")
            ).all()
        db.engine.dispose()
    # Approved delegations' people are approved; the rest keep "pending", and the delegation's status says why.
    assert [tuple(row) for row in statuses] == [
        (1, "approved"), (1, "approved"), (2, "pending"), (2, "pending"), (3, "pending"), (3, "pending"),
        (4, "pending"), (4, "pending"),
    ]  # fmt: skip
