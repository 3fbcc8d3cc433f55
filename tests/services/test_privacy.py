"""Personal data: erased after events or on request, with everything that copied it."""

import asyncio
import os
import stat
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from exchange.errors import RegistrationLocked
from exchange.extensions import db
from exchange.models import (
    AuditEntry,
    Delegate,
    Event,
    ManageToken,
    OutboxMessage,
    Registration,
    RegistrationChange,
    RegistrationStatus,
    utcnow,
)
from exchange.services import mailer
from exchange.services import registration_admin as actions
from exchange.services.audit import Actor
from exchange.services.broadcast import broadcast
from exchange.services.emails import render
from exchange.services.event_admin import cancel_event
from exchange.services.privacy import erase_registration, may_erase, personal_data, purge_personal_data
from exchange.services.registrations import cancel, register
from exchange.services.reminders import queue_reminders
from exchange.services.statistics import event_statistics
from exchange.services.tokens import registration_for_token

PASSPORT = "Passport B7654321"


def _past_event(make_event, days_ago: int = 30):
    starts_at = utcnow() - timedelta(days=days_ago)
    return make_event(
        starts_at=starts_at,
        registration_opens_at=starts_at - timedelta(days=60),
        registration_closes_at=utcnow() + timedelta(days=1),
    )


@pytest.fixture
def eml_folder(app, tmp_path):
    """Deliver without a mail server, as `make run` does: one .eml file per email."""
    app.config.update(MAIL_SERVER=None, MAIL_FILE_DIR=str(tmp_path / "mail"))
    return tmp_path / "mail"


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org"), ip_address="203.0.113.7")


def test_purge_erases_names_and_links_but_keeps_the_figures(make_event, individual, delegation):
    past, upcoming = _past_event(make_event), make_event()
    kept = register(upcoming.id, individual(email="kept@example.com")).registration
    person = register(past.id, individual(email="lan@example.com", phone="+84912345678"))
    group = register(past.id, delegation(size=2)).registration
    report = purge_personal_data(utcnow())
    assert (report.registrations, report.events, report.emails) == (2, [past.slug], 2)
    db.session.expire_all()
    erased = db.session.get(Registration, person.registration.id)
    assert (erased.full_name, erased.email, erased.phone) == ("", "", "")
    assert erased.status == RegistrationStatus.CONFIRMED and erased.country == "VN"
    assert {d.full_name for d in db.session.scalars(select(Delegate).where(Delegate.registration_id == group.id))} == {""}
    assert registration_for_token(person.token) is None
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == ["kept@example.com"]
    assert event_statistics(past).confirmed_attendees == 1
    assert db.session.get(Event, past.id).seats_taken == 3  # the seats stay where they were
    assert db.session.get(Registration, kept.id).email == "kept@example.com"
    assert purge_personal_data(utcnow()).registrations == 0


def test_purge_clears_organizers_notes_emails_and_eml_files(make_event, delegation, individual, actor, eml_folder):
    past, upcoming = _past_event(make_event), make_event()
    group = register(past.id, delegation(size=2)).registration
    actions.decline(actor, group.id, message=PASSPORT)
    other = register(upcoming.id, individual(email="kept@example.com")).registration
    actions.cancel_by_organizer(actor, other.id, message="Kept note")
    assert len(mailer.send_due().sent) == 4
    files = sorted(eml_folder.glob("*.eml"))
    assert len(files) == 4
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert stat.S_IMODE(eml_folder.stat().st_mode) == 0o700

    dry = purge_personal_data(utcnow(), dry_run=True)
    assert (dry.registrations, dry.emails, dry.eml_files) == (1, 2, 2)
    db.session.expire_all()
    assert db.session.get(Registration, group.id).anonymised_at is None and len(list(eml_folder.glob("*.eml"))) == 4

    report = purge_personal_data(utcnow())
    assert (report.registrations, report.emails, report.eml_files) == (1, 2, 2)
    left = list(eml_folder.glob("*.eml"))
    assert len(left) == 2 and all(b"kept@example.com" in path.read_bytes() for path in left)
    db.session.expire_all()
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.registration_id == group.id)).all()
    assert [entry.action for entry in audit] == ["registration.declined"]
    assert PASSPORT not in str(audit[0].details)
    kept_audit = db.session.scalars(select(AuditEntry).where(AuditEntry.registration_id == other.id)).one()
    assert kept_audit.details["note"] == "Kept note"
    history = db.session.scalars(select(RegistrationChange).where(RegistrationChange.registration_id == group.id)).all()
    assert [(change.action, change.to_status, change.note) for change in history] == [("erased", "declined", "")]
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.registration_id == group.id)) is None


def test_a_dry_run_changes_nothing(make_event, individual):
    person = register(_past_event(make_event).id, individual()).registration
    assert purge_personal_data(utcnow(), dry_run=True).registrations == 1
    db.session.expire_all()
    assert db.session.get(Registration, person.id).email == "lan@example.com"
    assert purge_personal_data(utcnow()).registrations == 1


def _today(app) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(app.config["DEFAULT_EVENT_TIMEZONE"]))


def test_purge_command(app, runner, make_event, individual):
    register(_past_event(make_event).id, individual())
    upcoming = register(make_event().id, individual(email="later@example.com")).registration
    tomorrow = (_today(app) + timedelta(days=1)).strftime("%Y-%m-%d")
    today = _today(app).strftime("%Y-%m-%d")

    refused = runner.invoke(args=["purge-personal-data", "--before", tomorrow])
    assert refused.exit_code == 2 and "after today" in refused.output
    dry = runner.invoke(args=["purge-personal-data", "--before", today, "--dry-run"])
    assert dry.exit_code == 0 and "Would anonymise 1 registrations" in dry.output
    result = runner.invoke(args=["purge-personal-data", "--before", today])
    assert result.exit_code == 0 and "Anonymised 1 registrations" in result.output
    db.session.expire_all()
    assert db.session.get(Registration, upcoming.id).email == "later@example.com"

    far = (_today(app) + timedelta(days=400)).strftime("%Y-%m-%d")
    forced = runner.invoke(args=["purge-personal-data", "--before", far, "--force"])
    assert "Anonymised 1 registrations" in forced.output
    assert runner.invoke(args=["purge-personal-data", "--before", "yesterday"]).exit_code == 2
    assert runner.invoke(args=["purge-personal-data"]).exit_code == 2
    assert runner.invoke(args=["purge-personal-data", "--before", today, "--retention"]).exit_code == 2


def test_retention_purges_events_that_ended_more_than_retention_days_ago(app, runner, make_event, individual):
    app.config["RETENTION_DAYS"] = 40
    old = register(_past_event(make_event, days_ago=41).id, individual(email="old@example.com")).registration
    recent = register(_past_event(make_event, days_ago=39).id, individual(email="recent@example.com")).registration
    result = runner.invoke(args=["purge-personal-data", "--retention"])
    assert result.exit_code == 0 and "Anonymised 1 registrations of events that ended more than 40 days ago" in result.output
    db.session.expire_all()
    assert db.session.get(Registration, old.id).email == ""
    assert db.session.get(Registration, recent.id).email == "recent@example.com"


def test_a_registrant_erases_a_cancelled_registration(make_event, individual, eml_folder):
    event = make_event(capacity=5)
    outcome = register(event.id, individual(notes="Vegetarian"))
    registration = outcome.registration
    assert not may_erase(registration)
    with pytest.raises(RegistrationLocked, match="Cancel your registration first"):
        erase_registration(registration.id)
    db.session.rollback()
    cancel(registration.id)
    mailer.send_due()
    assert len(list(eml_folder.glob("*.eml"))) == 2
    db.session.expire_all()
    seats_before = db.session.get(Event, event.id).seats_taken
    assert may_erase(db.session.get(Registration, registration.id))

    erase_registration(registration.id)
    db.session.expire_all()
    erased = db.session.get(Registration, registration.id)
    assert (erased.full_name, erased.email, erased.notes, erased.status) == ("", "", "", RegistrationStatus.CANCELLED)
    assert erased.anonymised_at is not None and not may_erase(erased)
    assert [change.action for change in erased.changes] == ["erased"]
    assert registration_for_token(outcome.token) is None
    assert list(eml_folder.glob("*.eml")) == []
    assert db.session.get(Event, event.id).seats_taken == seats_before
    assert event_statistics(event).by_status[RegistrationStatus.CANCELLED] == 1


def test_an_active_registration_may_be_erased_once_the_event_is_over(make_event, delegation):
    registration = register(_past_event(make_event).id, delegation(size=2)).registration
    assert registration.status == RegistrationStatus.PENDING and may_erase(registration)
    erase_registration(registration.id)
    db.session.expire_all()
    erased = db.session.get(Registration, registration.id)
    assert erased.status == RegistrationStatus.PENDING and erased.seats == 2
    assert {delegate.full_name for delegate in erased.delegates} == {""}


def test_the_download_holds_the_data_and_the_consent_with_its_notice_version(app, make_event, delegation):
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-03"
    registration = register(make_event().id, delegation(size=2)).registration
    data = personal_data(registration)
    assert data["reference"] == registration.reference and data["email"] == "consulate@example.org"
    assert data["consent"]["privacy_notice_version"] == "2027-03"
    assert datetime.fromisoformat(data["consent"]["given_at"]) - datetime.now(UTC) < timedelta(minutes=1)
    assert [delegate["full_name"] for delegate in data["delegates"]] == ["Delegate 1", "Delegate 2"]
    assert [change["action"] for change in data["history"]] == ["registered"]
    assert len(data["emails"]) == 1 and data["emails"][0]["sent_at"] is None
    assert db.session.get(Registration, registration.id).consent_version == "2027-03"


def test_eml_files_are_private_whatever_the_umask(app, make_event, individual, eml_folder):
    previous = os.umask(0)
    try:
        register(make_event().id, individual())
        mailer.send_due()
    finally:
        os.umask(previous)
    (path,) = eml_folder.glob("*.eml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_erased_registration_gets_no_more_email_nor_link(make_event, individual, actor):

    over = _past_event(make_event)
    upcoming = make_event(starts_at=utcnow() + timedelta(hours=24), registration_closes_at=utcnow() + timedelta(hours=1))
    erase_registration(register(over.id, individual(email="erased@example.com")).registration.id)
    register(upcoming.id, individual(email="soon@example.com"))
    assert purge_personal_data(utcnow() + timedelta(days=2)).registrations == 1  # as with --force: an event to come
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()

    assert broadcast(actor, over.id, {"en": ("Thank you", "Photos are online.")}, "en") == 0
    assert queue_reminders() == 0
    cancel_event(actor, upcoming.id, "Storm warning.")
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == []
    assert db.session.scalar(select(ManageToken.id)) is None


def test_erasing_while_the_message_is_being_sent(app, make_event, individual, smtp_server):
    """The sender finds the row gone when it comes to record the delivery: it carries on."""

    arrived, release = threading.Event(), threading.Event()
    handle = smtp_server.mailbox.handle_DATA

    async def held(server, session, envelope):
        arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, release.wait, 10)
        return await handle(server, session, envelope)

    smtp_server.mailbox.handle_DATA = held
    register(make_event().id, individual(email="other@example.com"))
    reports = []

    def deliver():
        with app.app_context():
            reports.append(mailer.send_due())

    sender = threading.Thread(target=deliver)
    sender.start()
    assert arrived.wait(10)
    erased_id = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == "other@example.com"))
    other = db.session.scalar(select(Registration).where(Registration.email == "other@example.com"))
    cancel(other.id)
    erase_registration(other.id)
    release.set()
    sender.join(20)
    assert not sender.is_alive()
    assert erased_id in reports[0].sent
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.id == erased_id)) is None


def test_an_eml_file_written_after_erasure_is_removed(app, make_event, individual, eml_folder):

    registration = register(_past_event(make_event).id, individual()).registration
    row = mailer.claim_next()
    rendered = render(row)
    row_id, message = row.id, mailer._flask_mail_message(row, rendered)
    erase_registration(registration.id)
    mailer._send(None, message)
    assert len(list(eml_folder.glob("*.eml"))) == 1
    assert mailer._record(row_id, message.msgId, None, utcnow(), rendered.manage_token) == "sent"
    assert list(eml_folder.glob("*.eml")) == []
