"""Migration 5e1a7c3b9d42 adds the venue per language, coordinates and the contact without touching existing rows."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from exchange import create_app
from exchange.extensions import db

BEFORE = "c0e1a2b3d4f5"


def test_existing_events_keep_their_content_and_get_empty_venues_and_no_coordinates(scratch_url, config_for):
    app = create_app(config_for(scratch_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        metadata = sa.MetaData()
        event = sa.Table("event", metadata, autoload_with=db.engine)
        translation = sa.Table("event_translation", metadata, autoload_with=db.engine)
        start = datetime(2031, 6, 21, tzinfo=UTC)
        with db.engine.begin() as connection:
            connection.execute(event.insert().values(
                id=1, slug="yoga-day-2031", status="published", category="culture", starts_at=start,
                ends_at=start + timedelta(hours=2), timezone="Asia/Ho_Chi_Minh", venue_name="Bến Ninh Kiều", venue_address="",
                capacity=10, seats_taken=0, registration_opens_at=start - timedelta(days=30),
                registration_closes_at=start - timedelta(days=1), allows_individuals=True, allows_delegations=False,
                max_delegation_size=5, partner_countries=[], approval_digest=False, created_at=start, updated_at=start,
            ))  # fmt: skip
            connection.execute(translation.insert().values(event_id=1, lang="vi", title="Ngày Yoga", summary="", description=""))
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT * FROM event")).mappings().one()
            content = connection.execute(sa.text("SELECT * FROM event_translation")).mappings().one()
        assert (row["slug"], row["latitude"], row["longitude"], row["contact_email"]) == ("yoga-day-2031", None, None, "")
        assert (content["title"], content["venue_name"], content["venue_address"]) == ("Ngày Yoga", "", "")
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE event SET latitude = 10.03"))  # half a pair
        downgrade(revision=BEFORE)
        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("event")}
        assert not {"latitude", "longitude", "contact_name", "contact_email", "contact_phone"} & columns
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM event_translation")).scalar() == 1
        db.engine.dispose()
