"""Every state change once: late clicks, one writer of seats, delegations that keep their integrity, seats no one can hoard."""

import json
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from exchange.database import write_transaction
from exchange.errors import RegistrationLocked, RegistrationNotFound, SeatLimitReached
from exchange.extensions import db
from exchange.models import Delegate, Event, OutboxMessage, Registration, RegistrationStatus, utcnow
from exchange.services import registration_admin as actions
from exchange.services.approval_requests import send_approval_digests
from exchange.services.audit import Actor
from exchange.services.checkin import CheckInRefused, OtherDayCheckIn, check_in, undo_check_in
from exchange.services.emails import render
from exchange.services.event_admin import cancel_event
from exchange.services.event_io import event_to_dict, import_events
from exchange.services.registrations import (
    DelegateData,
    cancel,
    confirm_address,
    expire_pending,
    register,
    update_delegates,
)
from exchange.services.seats import seat_drift
from exchange.services.tickets import read_ticket_code, tickets


@pytest.fixture
def actor(make_user, make_event):
    return Actor(user=make_user("organizer@example.org", language="ko"), ip_address="203.0.113.7")


def _kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def _status(registration_id: int) -> RegistrationStatus:
    db.session.rollback()
    return db.session.scalar(select(Registration.status).where(Registration.id == registration_id))


# Late clicks get the same clear answer as the loser of a race ---------------------------------------


def test_a_second_cancel_is_refused_clearly_and_releases_nothing(make_event, individual):
    event = make_event(capacity=1)
    first = register(event.id, individual(email="a@example.com")).registration
    waiting = register(event.id, individual(email="b@example.com")).registration
    cancel(first.id)
    with pytest.raises(RegistrationLocked, match="already cancelled"):
        cancel(first.id)
    assert _status(waiting.id) == RegistrationStatus.CONFIRMED
    assert _kinds().count("registration_cancelled") == 1 and _kinds().count("registration_promoted") == 1
    assert seat_drift() == []


def test_approve_after_decline_and_approve_twice_say_what_happened(actor, make_event, delegation):
    event = make_event()
    declined = register(event.id, delegation(size=2, email="a@example.org")).registration
    approved = register(event.id, delegation(size=2, email="b@example.org")).registration
    actions.decline(actor, declined.id)
    actions.approve(actor, approved.id)
    with pytest.raises(RegistrationLocked, match="already been declined"):
        actions.approve(actor, declined.id)
    with pytest.raises(RegistrationLocked, match="already approved"):
        actions.approve(actor, approved.id)
    with pytest.raises(RegistrationLocked, match="already cancelled"):
        actions.cancel_by_organizer(actor, actions.cancel_by_organizer(actor, approved.id).id)
    assert db.session.scalar(select(Event.seats_taken)) == 0
    assert seat_drift() == []


def test_a_refused_action_leaves_no_transaction_open(app, make_event, individual):
    event = make_event()
    registration = register(event.id, individual()).registration
    cancel(registration.id)
    with pytest.raises(RegistrationLocked):
        cancel(registration.id)
    assert not db.session().in_transaction()
    if db.engine.dialect.name == "sqlite":  # another writer gets the lock at once
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


def test_write_transaction_rolls_back_on_a_refusal(make_event):
    event = make_event(capacity=5)
    with pytest.raises(RegistrationLocked):
        with write_transaction():
            db.session.execute(update(Event).values(capacity=7))
            raise RegistrationLocked("no")
    assert db.session.scalar(select(Event.capacity).where(Event.id == event.id)) == 5


def test_resend_twice_within_a_minute_sends_one_email(actor, make_event, individual):
    registration = register(make_event().id, individual()).registration
    actions.resend(actor, registration.id)
    with pytest.raises(RegistrationLocked, match="a moment ago"):
        actions.resend(actor, registration.id)
    assert _kinds().count("registration_confirmed") == 2  # the registration's own, and one resend


# One writer of seats ---------------------------------------------------------------------------------


@pytest.mark.seat_drift_expected
def test_check_seats_finds_a_counter_that_drifted(runner, make_event, individual):
    event = make_event(capacity=5)
    register(event.id, individual())
    assert runner.invoke(args=["check-seats"]).exit_code == 0
    db.session.execute(update(Event).values(seats_taken=3))
    db.session.commit()
    result = runner.invoke(args=["check-seats"])
    assert result.exit_code == 1 and f"{event.slug}: counter 3, held by registrations and invitations 1" in result.output


def test_cancelling_an_event_frees_its_seats_through_the_allocator(actor, make_event, individual, delegation):
    event = make_event(capacity=4)
    register(event.id, individual())
    register(event.id, delegation(size=3))
    register(event.id, individual(email="late@example.com"))  # waitlisted
    assert cancel_event(actor, event.id) == 3
    assert db.session.scalar(select(Event.seats_taken)) == 0 and seat_drift() == []
    with pytest.raises(Exception, match="already cancelled"):
        cancel_event(actor, event.id)


def test_import_events_raising_capacity_fills_the_waiting_list(make_event, individual):
    event = make_event(capacity=1)
    register(event.id, individual(email="a@example.com"))
    waiting = register(event.id, individual(email="b@example.com")).registration
    payload = {"events": [event_to_dict(event) | {"capacity": 2}]}
    import_events(json.loads(json.dumps(payload)))
    assert _status(waiting.id) == RegistrationStatus.CONFIRMED
    assert "registration_promoted" in _kinds() and seat_drift() == []


def test_import_events_cannot_lower_capacity_below_the_seats_held(make_event, individual):
    event = make_event(capacity=2)
    register(event.id, individual(email="a@example.com"))
    register(event.id, individual(email="b@example.com"))
    with pytest.raises(Exception, match="2 seats are already held"):
        import_events(json.loads(json.dumps({"events": [event_to_dict(event) | {"capacity": 1}]})))
    assert db.session.scalar(select(Event.capacity)) == 2


# Delegations keep their integrity ---------------------------------------------------------------------


def _rows(registration, **replace):
    """The delegation's delegates as edit-form rows (with their keys); `replace` maps an index to new data."""
    rows = [
        DelegateData(key=d.key, full_name=d.full_name, position=d.position, nationality=d.nationality)
        for d in registration.delegates
    ]
    for index, data in replace.items():
        rows[int(index.removeprefix("row"))] = data
    return rows


def _contact(registration):
    from exchange.services.registrations import ContactData

    return ContactData(full_name=registration.full_name, organization=registration.organization, country="KR", notes="typo fixed")


def _scan(actor, registration, ticket):
    """Check a ticket in the way the QR link does: by what its code says; None for a code that opens nothing."""
    found = read_ticket_code(ticket.url.rsplit("/", 1)[1])
    return check_in(actor, found[0], found[1]) if found else None


def test_an_approved_delegation_fixing_a_typo_keeps_its_tickets_and_check_ins(actor, make_event, delegation, happening_now):
    event = make_event(**happening_now)
    group = register(event.id, delegation(size=3)).registration
    actions.approve(actor, group.id)
    issued = tickets(group)
    _scan(actor, group, issued[0])
    ids = [d.id for d in group.delegates]
    fixed = _rows(group, row1=DelegateData(key=group.delegates[1].key, full_name="Delegate Two", nationality="KR"))
    change = update_delegates(group.id, _contact(group), fixed)
    assert not change.needs_reapproval
    db.session.refresh(group)
    assert [d.id for d in group.delegates] == ids and group.status == RegistrationStatus.CONFIRMED
    assert group.delegates[0].checked_in_at is not None  # the check-in was kept
    assert [t.url for t in tickets(group)] == [t.url for t in issued]
    assert _scan(actor, group, issued[1]).already is False
    assert "approval_request" not in _kinds()


def test_replacing_a_delegate_sends_the_delegation_back_for_approval(actor, make_user, make_event, delegation, happening_now):
    event = make_event(**happening_now)
    organizer = make_user("kim@example.org", events=[event], language="ko")
    group = register(event.id, delegation(size=3)).registration
    confirm_address(group.id)
    actions.approve(actor, group.id)
    old = tickets(group)
    replaced = _rows(group, row2=DelegateData(full_name="Someone Else", nationality="KR"))
    assert update_delegates(group.id, _contact(group), replaced).needs_reapproval
    db.session.refresh(group)
    assert group.status == RegistrationStatus.PENDING
    requests = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "approval_request")).all()
    assert [(m.recipient, m.language) for m in requests] == [(organizer.email, "ko")] * 2  # on confirmation and now
    actions.approve(actor, group.id)
    db.session.refresh(group)
    new = tickets(group)
    assert [t.url for t in new[:2]] == [t.url for t in old[:2]]  # unchanged people keep their tickets
    assert _scan(actor, group, new[2]).already is False  # the new person's ticket works
    with pytest.raises(CheckInRefused, match=r"not approved to attend \(Cancelled\)"):
        _scan(actor, group, old[2])  # the replaced person's does not: they are on record as removed


def test_removing_a_delegate_keeps_the_approval_and_frees_a_seat(actor, make_event, delegation, individual):
    event = make_event(capacity=3)
    group = register(event.id, delegation(size=3)).registration
    actions.approve(actor, group.id)
    waiting = register(event.id, individual()).registration
    removed = tickets(group)[2]
    update_delegates(group.id, _contact(group), _rows(group)[:2])
    assert _status(group.id) == RegistrationStatus.CONFIRMED
    assert _status(waiting.id) == RegistrationStatus.CONFIRMED
    with pytest.raises(CheckInRefused, match=r"not approved to attend \(Cancelled\)"):
        _scan(actor, group, removed)  # the removed person's ticket lets nobody in
    assert seat_drift() == []


def test_a_forged_row_key_counts_as_a_new_person(make_event, delegation):
    event = make_event()
    mine = register(event.id, delegation(size=1, email="a@example.org")).registration
    theirs = register(event.id, delegation(size=1, email="b@example.org")).registration
    their_key = theirs.delegates[0].key
    rows = [DelegateData(key=their_key, full_name="Stolen row")]
    update_delegates(mine.id, _contact(mine), rows)
    db.session.rollback()
    assert db.session.scalar(select(Delegate.full_name).where(Delegate.key == their_key)) == "Delegate 1"
    mine_now = db.session.execute(
        select(Delegate.full_name, Delegate.status).where(Delegate.registration_id == mine.id).order_by(Delegate.id)
    ).all()
    assert [tuple(row) for row in mine_now] == [("Delegate 1", "cancelled"), ("Stolen row", "pending")]  # the old one on record


# Scoped check-in -----------------------------------------------------------------------------------------


def test_undo_refuses_a_delegate_of_another_registration(actor, make_event, delegation, happening_now):
    event = make_event(**happening_now)
    one = register(event.id, delegation(size=1, email="a@example.org")).registration
    other = register(event.id, delegation(size=1, email="b@example.org")).registration
    actions.approve(actor, one.id)
    actions.approve(actor, other.id)
    check_in(actor, other.id, other.delegates[0].id)
    with pytest.raises(RegistrationNotFound):
        undo_check_in(actor, one.id, other.delegates[0].id)
    db.session.rollback()
    assert db.session.scalar(select(Delegate.checked_in_at).where(Delegate.id == other.delegates[0].id)) is not None


def test_check_in_on_another_day_needs_the_staff_to_confirm(actor, make_event, individual):
    event = make_event()  # in 30 days
    registration = register(event.id, individual()).registration
    with pytest.raises(OtherDayCheckIn, match="not a day of this event"):
        check_in(actor, registration.id)
    first = check_in(actor, registration.id, other_day_confirmed=True)
    again = check_in(actor, registration.id, other_day_confirmed=True)
    assert (first.already, again.already, again.by) == (False, True, "organizer@example.org")


# Seats no one can hoard ----------------------------------------------------------------------------------


def test_an_unconfirmed_delegation_lapses_and_its_seats_go_to_the_waiting_list(app, make_event, delegation):
    event = make_event(capacity=4)
    lapsing = register(event.id, delegation(size=3, email="hoarder@example.org")).registration
    kept = register(event.id, delegation(size=1, email="real@example.org")).registration
    confirm_address(kept.id)
    waiting = register(event.id, delegation(size=3, email="next@example.org")).registration
    assert _status(waiting.id) == RegistrationStatus.WAITLISTED
    assert expire_pending(now=utcnow() + timedelta(hours=47)) == 0
    assert expire_pending(now=utcnow() + timedelta(hours=49)) == 1
    assert expire_pending(now=utcnow() + timedelta(hours=47)) == 0  # the promoted delegation's own 48 hours run
    assert [_status(r.id) for r in (lapsing, kept, waiting)] == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.PENDING,
        RegistrationStatus.PENDING,
    ]
    assert _kinds().count("registration_lapsed") == 1 and seat_drift() == []
    # The promoted delegation has its own 48 hours to confirm from now.
    promoted = db.session.get(Registration, waiting.id)
    assert promoted.confirm_by > utcnow() + timedelta(hours=47)


def test_the_confirmation_page_changes_nothing_on_get(client, make_event, delegation):
    event = make_event()
    outcome = register(event.id, delegation(size=2))
    page = client.get(f"/en/r/{outcome.token}")
    assert page.status_code == 200 and "Confirm your email address" in page.get_data(as_text=True)
    assert client.get(f"/en/r/{outcome.token}/confirm").status_code == 405
    assert db.session.get(Registration, outcome.registration.id).address_confirmed_at is None
    assert client.post(f"/en/r/{outcome.token}/confirm").status_code == 303
    db.session.rollback()
    assert db.session.get(Registration, outcome.registration.id).address_confirmed_at is not None
    again = client.post(f"/en/r/{outcome.token}/confirm")
    assert again.status_code == 409 and "already confirmed" in again.get_data(as_text=True)


def test_one_address_cannot_hold_more_than_its_share(app, make_event, delegation):
    app.config.update(SEATS_PER_ADDRESS_LIMIT=20, SEATS_PER_CLIENT_LIMIT=1000)
    event = make_event(capacity=600, max_delegation_size=10)
    for _ in range(2):
        register(event.id, delegation(size=10, email="hoarder@example.org"))
    with pytest.raises(SeatLimitReached, match="at most 20 seats"):
        register(event.id, delegation(size=1, email="Hoarder@Example.org"))
    assert db.session.scalar(select(Event.seats_taken)) == 20 and seat_drift() == []


def test_one_client_cannot_hold_more_than_its_share(app, make_event, delegation):
    app.config.update(SEATS_PER_ADDRESS_LIMIT=1000, SEATS_PER_CLIENT_LIMIT=25)
    event = make_event(capacity=600, max_delegation_size=10)
    for number in range(2):
        request = delegation(size=10, email=f"a{number}@example.org")
        request.client_address = "198.51.100.9"
        register(event.id, request)
    request = delegation(size=10, email="a3@example.org")
    request.client_address = "198.51.100.9"
    with pytest.raises(SeatLimitReached, match="from your network"):
        register(event.id, request)
    request.client_address = "198.51.100.10"
    register(event.id, request)
    stored = db.session.scalars(select(Registration.client_key)).all()
    assert "198.51.100.9" not in json.dumps(stored) and len(set(stored)) == 2


def test_organizers_hear_of_a_delegation_once_its_address_is_confirmed(actor, make_user, make_event, delegation):
    event = make_event(titles={"en": "Yoga Day", "ko": "요가의 날"})
    make_user("lee@example.org", events=[event], language="ko")
    group = register(event.id, delegation(size=2)).registration
    assert "approval_request" not in _kinds()
    confirm_address(group.id)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "approval_request"))
    assert message.recipient == "lee@example.org" and "요가의 날" in message.subject
    assert "Consulate General of Korea" in render(message).text and "대한민국" in render(message).text  # country in Korean


def test_a_daily_digest_lists_every_waiting_delegation_once(make_user, make_event, delegation):
    event = make_event(approval_digest=True)
    make_user("lee@example.org", events=[event], language="vi")
    for number in range(3):
        confirm_address(register(event.id, delegation(size=1, email=f"d{number}@example.org")).registration.id)
    assert "approval_request" not in _kinds()
    assert send_approval_digests() == 1
    assert send_approval_digests() == 0  # nothing new since
    (digest,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "approval_digest")).all()
    assert render(digest).text.count("Consulate General of Korea") == 3


def test_the_migrated_delegates_have_keys(app):
    assert db.session.execute(text("SELECT count(*) FROM delegate WHERE key IS NULL")).scalar() == 0
