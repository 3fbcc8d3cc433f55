"""Erasing personal data after events."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Delegate, OutboxMessage, Registration, RegistrationStatus, utcnow
from exchange.services.privacy import purge_personal_data
from exchange.services.registrations import register
from exchange.services.statistics import event_statistics
from exchange.services.tokens import registration_for_token


def _past_event(make_event):
    starts_at = utcnow() - timedelta(days=30)
    return make_event(
        starts_at=starts_at,
        registration_opens_at=starts_at - timedelta(days=60),
        registration_closes_at=utcnow() + timedelta(days=1),
    )


def test_purge_erases_names_and_links_but_keeps_the_figures(make_event, individual, delegation):
    past, upcoming = _past_event(make_event), make_event()
    kept = register(upcoming.id, individual(email="kept@example.com")).registration
    person = register(past.id, individual(email="lan@example.com", phone="+84912345678"))
    group = register(past.id, delegation(size=2)).registration
    assert purge_personal_data(utcnow()) == 2
    db.session.expire_all()
    erased = db.session.get(Registration, person.registration.id)
    assert (erased.full_name, erased.email, erased.phone) == ("", "", "")
    assert erased.status == RegistrationStatus.CONFIRMED and erased.country == "VN"
    assert {d.full_name for d in db.session.scalars(select(Delegate).where(Delegate.registration_id == group.id))} == {""}
    assert registration_for_token(person.token) is None
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == ["kept@example.com"]
    assert event_statistics(past).confirmed_attendees == 1
    assert db.session.get(Registration, kept.id).email == "kept@example.com"
    assert purge_personal_data(utcnow()) == 0


def test_purge_command(runner, make_event, individual):
    register(_past_event(make_event).id, individual())
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    result = runner.invoke(args=["purge-personal-data", "--before", tomorrow])
    assert "Anonymised 1 registrations" in result.output
    assert runner.invoke(args=["purge-personal-data", "--before", "yesterday"]).exit_code == 2
