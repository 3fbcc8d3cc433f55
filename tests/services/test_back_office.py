"""The organizer's rules: accounts, the event editor, registration actions, check-in, broadcasts."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from exchange.errors import ExchangeError, NotEnoughSeats, RegistrationLocked
from exchange.extensions import db
from exchange.models import (
    AuditEntry,
    Category,
    Event,
    EventStatus,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    User,
    UserRole,
    utcnow,
)
from exchange.services import registration_admin as actions
from exchange.services.accounts import AccountError, can_manage, check_credentials, create_user
from exchange.services.audit import Actor
from exchange.services.broadcast import BroadcastRefused, broadcast, failed_broadcasts
from exchange.services.checkin import CheckInRefused, check_in, door_counts, door_list, undo_check_in
from exchange.services.emails import render
from exchange.services.event_admin import EventDraft, EventRefused, cancel_event, duplicate_for_next_year, publish, save_event
from exchange.services.mailer import retry_message
from exchange.services.registrations import register


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org"), ip_address="203.0.113.7")


def _emails(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


def _draft(**changes) -> EventDraft:
    starts_at = utcnow().replace(microsecond=0) + timedelta(days=40)
    values = dict(
        slug="mekong-youth-day-2031", category=Category.EXCHANGE, starts_at=starts_at, ends_at=starts_at + timedelta(hours=4),
        timezone="Asia/Ho_Chi_Minh", venue_name="Nhà văn hóa Thanh niên", venue_address="Cần Thơ", capacity=2,
        registration_opens_at=utcnow() - timedelta(days=1), registration_closes_at=starts_at - timedelta(days=1),
        allows_individuals=True, allows_delegations=True, max_delegation_size=5, partner_countries=["KR"],
        translations={"vi": {"title": "Ngày hội Thanh niên", "summary": "", "description": ""},
                      "ko": {"title": "", "summary": "", "description": ""}},
    )  # fmt: skip
    return EventDraft(**(values | changes))


# Accounts --------------------------------------------------------------------------------------------


def test_accounts_need_a_unique_address_and_a_long_password(app):
    with pytest.raises(AccountError, match="at least 12"):
        create_user("lan@example.org", "short", UserRole.ORGANIZER)
    create_user("Lan@Example.org", "a long enough password", UserRole.ORGANIZER)
    with pytest.raises(AccountError, match="already exists"):
        create_user("lan@example.org", "another long password", UserRole.ADMIN)
    stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("scrypt:") and "a long enough password" not in stored


def test_check_credentials(app):
    user = create_user("lan@example.org", "a long enough password", UserRole.ORGANIZER)
    assert check_credentials("LAN@example.org", "a long enough password") == user
    assert check_credentials("lan@example.org", "wrong password") is None
    assert check_credentials("nobody@example.org", "a long enough password") is None
    user.active = False
    db.session.commit()
    assert check_credentials("lan@example.org", "a long enough password") is None


def test_cli_create_user_reads_the_password_from_stdin(runner):
    result = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin", "--password-stdin"], input="a long enough password\n"
    )
    assert result.exit_code == 0, result.output
    assert check_credentials("admin@example.org", "a long enough password").role == UserRole.ADMIN
    again = runner.invoke(
        args=["create-user", "admin@example.org", "--role", "admin", "--password-stdin"], input="a long enough password\n"
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_demo_organizer_is_created_once_and_printed(runner):
    first = runner.invoke(args=["create-demo-organizer"])
    second = runner.invoke(args=["create-demo-organizer"])
    assert "demo@example.org" in first.output and first.output == second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


# Events ----------------------------------------------------------------------------------------------


def test_a_new_event_is_a_draft_assigned_to_its_creator(actor):
    event = save_event(actor, None, _draft())
    assert event.status == EventStatus.DRAFT and can_manage(actor.user, event)
    assert [translation.lang for translation in event.translations] == ["vi"]  # no title, no language
    assert db.session.scalar(select(AuditEntry.action)) == "event.created"


def test_the_editor_refuses_what_cannot_be(actor, make_event):
    make_event(slug="taken")
    with pytest.raises(EventRefused, match="already uses"):
        save_event(actor, None, _draft(slug="taken"))
    with pytest.raises(EventRefused, match="end after"):
        save_event(actor, None, _draft(ends_at=_draft().starts_at))
    with pytest.raises(EventRefused, match="title"):
        save_event(actor, None, _draft(translations={"vi": {"title": "", "summary": "", "description": ""}}))


def test_capacity_cannot_drop_below_held_seats_and_raising_it_promotes(actor, individual):
    event = save_event(actor, None, _draft(capacity=1))
    publish(actor, event.id)
    register(event.id, individual(email="a@example.com"))
    waiting = register(event.id, individual(email="b@example.com", language="th")).registration
    with pytest.raises(EventRefused, match="1 seat is already held"):
        save_event(actor, event.id, _draft(capacity=0))
    save_event(actor, event.id, _draft(capacity=2))
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    (promoted,) = _emails("registration_promoted")
    assert (promoted.recipient, promoted.language) == ("b@example.com", "th")


def test_duplicate_makes_next_years_draft(actor, make_event):
    starts_at = utcnow().replace(year=2031, microsecond=0)
    event = make_event(slug="yoga-day-2031", titles={"en": "Yoga Day"}, capacity=80, starts_at=starts_at,
                       registration_opens_at=starts_at - timedelta(days=60))  # fmt: skip
    copy = duplicate_for_next_year(actor, event.id)
    assert copy.slug == "yoga-day-2032" and copy.status == EventStatus.DRAFT
    assert copy.starts_at.year == event.starts_at.year + 1 and copy.starts_at.month == event.starts_at.month
    assert copy.capacity == 80 and copy.seats_taken == 0 and copy.content("en").title == "Yoga Day"


def test_cancelling_an_event_cancels_and_tells_every_registrant_in_their_language(actor, make_event, individual, delegation):
    event = make_event(capacity=3)
    register(event.id, individual(email="a@example.com", language="lo"))
    register(event.id, delegation(size=2, language="km"))
    register(event.id, individual(email="c@example.com", language="fr"))  # waitlisted
    assert cancel_event(actor, event.id, "Typhoon warning.") == 3
    assert db.session.scalar(select(Event.seats_taken)) == 0
    statuses = set(db.session.scalars(select(Registration.status)))
    assert statuses == {RegistrationStatus.CANCELLED}
    assert sorted(message.language for message in _emails("registration_event_cancelled")) == ["fr", "km", "lo"]
    assert all("Typhoon warning." in render(message).text for message in _emails("registration_event_cancelled"))
    with pytest.raises(EventRefused):
        publish(actor, event.id)


# Registration actions ------------------------------------------------------------------------------


def test_approve_and_decline_delegations(actor, make_event, delegation, individual):
    event = make_event(capacity=4)
    first = register(event.id, delegation(size=2, email="one@example.org")).registration
    second = register(event.id, delegation(size=2, email="two@example.org")).registration
    waiting = register(event.id, individual(email="w@example.com")).registration
    actions.approve(actor, first.id, "Welcome!")
    actions.decline(actor, second.id, "Sorry, the hall is full.")
    for registration in (first, second, waiting):
        db.session.refresh(registration)
    assert (first.status, second.status, waiting.status) == (
        RegistrationStatus.CONFIRMED, RegistrationStatus.DECLINED, RegistrationStatus.CONFIRMED,
    )  # fmt: skip
    (approved,) = _emails("registration_approved")
    approved_email = render(approved)
    assert "Welcome!" in approved_email.text
    calendar_type = "text/calendar; charset=UTF-8; method=PUBLISH"
    assert [a.content_type for a in approved_email.attachments] == [calendar_type, "image/png", "image/png"]
    (declined,) = _emails("registration_declined")
    assert "Sorry, the hall is full." in render(declined).text
    assert first.changes[-1].user_id == actor.user.id and first.changes[-1].note == "Welcome!"
    audit = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in audit] == ["registration.approved", "registration.declined"]
    assert {entry.ip_address for entry in audit} == {"203.0.113.7"}
    with pytest.raises(RegistrationLocked):
        actions.approve(actor, first.id)


def test_promote_out_of_turn_needs_free_seats(actor, make_event, individual):
    event = make_event(capacity=1)
    holder = register(event.id, individual(email="a@example.com")).registration
    waiting = register(event.id, individual(email="b@example.com")).registration
    with pytest.raises(NotEnoughSeats):
        actions.promote(actor, waiting.id)
    db.session.rollback()
    actions.cancel_by_organizer(actor, holder.id, "Duplicate booking.")
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED  # the freed seat went to the waiting list by itself


def test_bulk_actions_report_what_was_refused(actor, make_event, individual, delegation):
    event = make_event()
    pending = register(event.id, delegation(size=2)).registration
    confirmed = register(event.id, individual()).registration
    result = actions.apply_to_many(actor, "approve", [pending, confirmed])
    assert result.done == [pending.reference]
    assert [reference for reference, _ in result.refused] == [confirmed.reference]
    resent = actions.apply_to_many(actor, "resend", [pending, confirmed])
    assert len(resent.done) == 2


# Check-in --------------------------------------------------------------------------------------------


def test_check_in_once_per_person_and_per_delegate(actor, make_event, individual, delegation, happening_now):
    event = make_event(**happening_now)
    person = register(event.id, individual(full_name="Lê Thị Hoa")).registration
    group = register(event.id, delegation(size=2)).registration
    with pytest.raises(CheckInRefused, match="not approved to attend"):
        check_in(actor, group.id, group.delegates[0].id)
    actions.approve(actor, group.id)
    first = check_in(actor, person.id)
    again = check_in(actor, person.id)
    assert (first.already, again.already, again.at) == (False, True, first.at)
    check_in(actor, group.id, group.delegates[1].id)
    assert door_counts(event) == type(door_counts(event))(expected=3, arrived=2)
    undo_check_in(actor, person.id)
    assert door_counts(event).arrived == 1
    assert [r.reference for r in door_list(event, "vi", "hoa")] == [person.reference]
    assert [r.reference for r in door_list(event, "vi", "delegate 2")] == [group.reference]


# Broadcast and outbox ----------------------------------------------------------------------------------


def test_broadcast_goes_to_confirmed_attendees_in_their_language_or_the_fallback(actor, make_event, individual):
    event = make_event(capacity=3)
    for email, language in (("ko@example.com", "ko"), ("ja@example.com", "ja"), ("fr@example.com", "fr")):
        register(event.id, individual(email=email, language=language))
    register(event.id, individual(email="late@example.com", language="ko"))  # waitlisted: not written to
    with pytest.raises(BroadcastRefused):
        broadcast(actor, event.id, {"ko": ("공지", "내용")}, fallback="en")
    count = broadcast(
        actor, event.id, {"ko": ("공지", "버스는 7시에 출발합니다."), "en": ("Notice", "The bus leaves at 7.")}, fallback="en"
    )
    assert count == 3
    by_recipient = {message.recipient: message for message in _emails("broadcast")}
    assert by_recipient["ko@example.com"].subject == "공지" and "7시" in render(by_recipient["ko@example.com"]).text
    assert by_recipient["ja@example.com"].subject == "Notice" and by_recipient["ja@example.com"].language == "en"
    by_recipient["fr@example.com"].status = OutboxStatus.FAILED
    db.session.commit()
    assert [message.recipient for message in failed_broadcasts(event)] == ["fr@example.com"]
    assert retry_message(actor, by_recipient["fr@example.com"].id)
    assert failed_broadcasts(event) == []
    assert not retry_message(actor, by_recipient["fr@example.com"].id)


def test_cli_export_writes_the_same_csv(runner, make_event, individual, tmp_path):
    event = make_event(slug="yoga-day-2031")
    register(event.id, individual())
    target = tmp_path / "out.csv"
    result = runner.invoke(args=["export", "yoga-day-2031", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"reference","status","kind","full_name"') and "Nguyễn Thị Lan" in text
    assert runner.invoke(args=["export", "nope", "--format", "csv", "-o", str(target)]).exit_code == 1


def test_an_event_is_cancelled_only_once(actor, make_event):
    event = make_event()
    cancel_event(actor, event.id)
    with pytest.raises(ExchangeError, match="already cancelled"):
        cancel_event(actor, event.id)


def test_an_event_chooses_a_daily_digest_of_delegations_awaiting_approval(actor, make_user, delegation):
    event = save_event(actor, None, _draft(approval_digest=True))
    publish(actor, event.id)
    assert db.session.get(Event, event.id).approval_digest is True
    copy = duplicate_for_next_year(actor, event.id)
    assert copy.approval_digest is True  # next year's edition keeps the organizers' choice
