"""Each delegate's own status: approved or declined one by one, replaced by the contact, with seats, tickets,
door, lists and emails following."""

from datetime import timedelta

import pytest
from contacts import contact_of
from sqlalchemy import select

from exchange.errors import ExchangeError, RegistrationLocked
from exchange.extensions import db
from exchange.models import Delegate, DelegateStatus, Event, OutboxMessage, Registration, RegistrationStatus, utcnow
from exchange.services import registration_admin as actions
from exchange.services.audit import Actor
from exchange.services.checkin import CheckInRefused, check_in, door_counts, door_list
from exchange.services.emails import render
from exchange.services.exports import attendee_rows
from exchange.services.privacy import erase_registration, personal_data
from exchange.services.registration_admin import DelegateDecision, decide_delegates
from exchange.services.registrations import DelegateData, register, substitute, update_delegates
from exchange.services.statistics import event_statistics, overview
from exchange.services.tickets import tickets

APPROVE, DECLINE = DelegateDecision.APPROVE, DelegateDecision.DECLINE


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("protocol@example.org"), ip_address="203.0.113.9")


def _fresh(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def _names(registration: Registration) -> list[tuple[str, str]]:
    return [(delegate.full_name, delegate.status.value) for delegate in registration.all_delegates]


def _last_email(kind: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())).first()


def test_approving_some_delegates_gives_them_tickets_and_leaves_the_rest_awaiting(actor, make_event, delegation, happening_now):
    event = make_event(**happening_now)
    group = register(event.id, delegation(size=3)).registration
    first, second, third = group.delegates

    decide_delegates(actor, group.id, [first.id], APPROVE, "Welcome, Mr Delegate.")

    group = _fresh(group.id)
    assert group.status == RegistrationStatus.PENDING
    assert _names(group) == [("Delegate 1", "approved"), ("Delegate 2", "pending"), ("Delegate 3", "pending")]
    assert [ticket.holder for ticket in tickets(group)] == ["Delegate 1"]
    email = render(_last_email("registration_delegates_approved"))
    assert "Delegate 1." in email.text and "Delegate 2" in email.text  # named as approved; listed as awaiting
    assert "Welcome, Mr Delegate." in email.text
    assert [attachment.filename for attachment in email.attachments if attachment.filename.endswith(".png")] == [
        f"ticket-{group.reference}-1.png"
    ]
    # The door lets the approved delegate in, and only them.
    assert [r.id for r in door_list(event, "en")] == [group.id]
    assert door_counts(event).expected == 1
    assert check_in(actor, group.id, first.id).already is False
    with pytest.raises(CheckInRefused, match="Delegate 2 is not approved to attend"):
        check_in(actor, group.id, second.id)

    decide_delegates(actor, group.id, [second.id, third.id], APPROVE)
    group = _fresh(group.id)
    assert group.status == RegistrationStatus.CONFIRMED
    assert {status for _, status in _names(group)} == {"approved"}
    assert _last_email("registration_approved") is not None
    assert len(tickets(group)) == 3


def test_declining_a_delegate_frees_one_seat_for_the_waiting_list_and_stops_their_ticket(
    actor, make_event, delegation, individual, happening_now
):
    event = make_event(capacity=3, **happening_now)
    group = register(event.id, delegation(size=3, language="en")).registration
    actions.approve(actor, group.id)
    waiting = register(event.id, individual(email="waiting@example.com")).registration
    assert _fresh(waiting.id).status == RegistrationStatus.WAITLISTED
    leaving = _fresh(group.id).delegates[1]

    decide_delegates(actor, group.id, [leaving.id], DECLINE, "Only two places for the ministry.")

    group = _fresh(group.id)
    assert (group.status, group.seats) == (RegistrationStatus.CONFIRMED, 2)
    assert _names(group) == [("Delegate 1", "approved"), ("Delegate 2", "declined"), ("Delegate 3", "approved")]
    assert db.session.get(Event, event.id).seats_taken == 3  # the freed seat went to the waiting list at once
    assert _fresh(waiting.id).status == RegistrationStatus.CONFIRMED
    assert [ticket.holder for ticket in tickets(group)] == ["Delegate 1", "Delegate 3"]
    with pytest.raises(CheckInRefused, match="Delegate 2 is not approved to attend"):
        check_in(actor, group.id, leaving.id)
    email = render(_last_email("registration_delegates_declined"))
    assert "could not accept these delegates" in email.text and "Delegate 2." in email.text
    assert "Only two places for the ministry." in email.text
    history = [(change.action, change.note) for change in group.changes]
    assert ("delegates_declined", "Delegate 2\nOnly two places for the ministry.") in history


def test_declining_every_delegate_declines_the_delegation(actor, make_event, delegation):
    event = make_event(capacity=10)
    group = register(event.id, delegation(size=2)).registration

    decide_delegates(actor, group.id, [d.id for d in group.delegates], DECLINE)

    group = _fresh(group.id)
    assert group.status == RegistrationStatus.DECLINED
    assert db.session.get(Event, event.id).seats_taken == 0
    assert [delegate.shown_status.value for delegate in group.delegates] == ["declined", "declined"]
    assert _last_email("registration_declined") is not None


def test_a_partly_declined_pending_delegation_is_approved_when_the_rest_are(actor, make_event, delegation):
    event = make_event()
    group = register(event.id, delegation(size=2)).registration
    first, second = group.delegates
    decide_delegates(actor, group.id, [first.id], APPROVE)

    decide_delegates(actor, group.id, [second.id], DECLINE)

    group = _fresh(group.id)
    assert (group.status, group.seats) == (RegistrationStatus.CONFIRMED, 1)


@pytest.mark.parametrize("how", ["another delegation's delegate", "already declined", "none ticked", "already approved"])
def test_a_decision_that_cannot_apply_changes_nothing(actor, make_event, delegation, how):
    event = make_event()
    group = register(event.id, delegation(size=2)).registration
    other = register(event.id, delegation(size=1, email="other@example.org")).registration
    first = group.delegates[0]
    decision, ids = DECLINE, [first.id]
    if how == "another delegation's delegate":
        ids = [first.id, other.delegates[0].id]
    elif how == "already declined":
        decide_delegates(actor, group.id, [first.id], DECLINE)
    elif how == "none ticked":
        ids = []
    else:
        decide_delegates(actor, group.id, [first.id], APPROVE)
        decision = APPROVE
    before = (_names(_fresh(group.id)), db.session.get(Event, event.id).seats_taken, db.session.query(OutboxMessage).count())

    with pytest.raises(ExchangeError):
        decide_delegates(actor, group.id, ids, decision)

    after = (_names(_fresh(group.id)), db.session.get(Event, event.id).seats_taken, db.session.query(OutboxMessage).count())
    assert after == before
    assert _names(_fresh(other.id)) == [("Delegate 1", "pending")]


def test_a_checked_in_delegate_cannot_be_declined(actor, make_event, delegation, happening_now):
    event = make_event(**happening_now)
    group = register(event.id, delegation(size=2)).registration
    actions.approve(actor, group.id)
    arrived = _fresh(group.id).delegates[0]
    check_in(actor, group.id, arrived.id)

    with pytest.raises(RegistrationLocked, match="already been checked in"):
        decide_delegates(actor, group.id, [arrived.id], DECLINE)


def test_delegates_of_a_waiting_or_ended_delegation_are_not_decided_one_by_one(actor, make_event, delegation):
    event = make_event(capacity=1)
    waiting = register(event.id, delegation(size=2)).registration
    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(RegistrationLocked, match="one by one only while"):
        decide_delegates(actor, waiting.id, [waiting.delegates[0].id], DECLINE)
    with pytest.raises(RegistrationLocked, match="Only a delegation awaiting approval"):
        decide_delegates(actor, waiting.id, [waiting.delegates[0].id], APPROVE)


def test_the_contact_editing_after_a_decline_cannot_bring_the_declined_delegate_back_by_their_key(actor, make_event, delegation):
    event = make_event()
    group = register(event.id, delegation(size=2)).registration
    actions.approve(actor, group.id)
    kept, declined = _fresh(group.id).delegates
    decide_delegates(actor, group.id, [declined.id], DECLINE)
    group = _fresh(group.id)
    contact = contact_of(group)

    # A forged form row naming the declined delegate's key is a new person, awaiting approval.
    rows = [
        DelegateData(full_name=kept.full_name, key=kept.key),
        DelegateData(full_name="Delegate 2 again", key=declined.key),
    ]
    update_delegates(group.id, contact, rows)

    group = _fresh(group.id)
    assert group.status == RegistrationStatus.PENDING
    assert _names(group) == [("Delegate 1", "approved"), ("Delegate 2", "declined"), ("Delegate 2 again", "pending")]
    assert db.session.get(Delegate, declined.id).status == DelegateStatus.DECLINED
    assert [ticket.holder for ticket in tickets(group)] == ["Delegate 1"]  # the approved one's ticket keeps working


def test_a_delegate_the_contact_removes_stays_on_record_as_cancelled(actor, make_event, delegation):
    event = make_event()
    group = register(event.id, delegation(size=3)).registration
    decide_delegates(actor, group.id, [group.delegates[0].id], APPROVE)
    group = _fresh(group.id)
    first, second, _third = group.delegates

    # The two left are: one approved, one pending.
    update_delegates(group.id, contact_of(group), [DelegateData(full_name=d.full_name, key=d.key) for d in (first, second)])

    group = _fresh(group.id)
    assert _names(group) == [("Delegate 1", "approved"), ("Delegate 2", "pending"), ("Delegate 3", "cancelled")]
    assert (group.seats, db.session.get(Event, event.id).seats_taken) == (2, 2)

    # Removing the pending one leaves only approved delegates: nothing awaits a decision any more.
    update_delegates(group.id, contact_of(group), [DelegateData(full_name=first.full_name, key=first.key)])
    group = _fresh(group.id)
    assert (group.status, group.seats) == (RegistrationStatus.CONFIRMED, 1)


def test_exports_and_statistics_count_each_delegate_by_their_own_status(actor, make_event, delegation, individual):
    event = make_event()
    register(event.id, individual(email="solo@example.com", full_name="Lan"))
    group = register(event.id, delegation(size=3)).registration
    first, second, third = group.delegates
    decide_delegates(actor, group.id, [first.id], APPROVE)
    decide_delegates(actor, group.id, [third.id], DECLINE)

    rows = {row[3]: row[1] for row in attendee_rows(event, None)}
    assert rows == {"Lan": "confirmed", "Delegate 1": "confirmed", "Delegate 2": "pending"}
    confirmed_only = [row[3] for row in attendee_rows(event, RegistrationStatus.CONFIRMED)]
    assert sorted(confirmed_only) == ["Delegate 1", "Lan"]
    assert [row[3] for row in attendee_rows(event, RegistrationStatus.PENDING)] == ["Delegate 2"]

    stats = event_statistics(event)
    assert stats.attendees_by_status[RegistrationStatus.CONFIRMED] == 2
    assert stats.attendees_by_status[RegistrationStatus.PENDING] == 1
    assert stats.by_status[RegistrationStatus.PENDING] == 1  # registrations: the delegation is still one
    [row] = overview([event])
    assert (row.confirmed_attendees, row.pending_attendees) == (2, 1)


def test_the_contacts_data_download_and_erasure_cover_delegates_no_longer_on_the_list(actor, make_event, delegation):
    event = make_event()
    group = register(event.id, delegation(size=2)).registration
    decide_delegates(actor, group.id, [group.delegates[1].id], DECLINE)

    data = personal_data(_fresh(group.id))

    assert [(d["full_name"], d["status"]) for d in data["delegates"]] == [("Delegate 1", "pending"), ("Delegate 2", "declined")]
    actions.cancel_by_organizer(actor, group.id)
    erase_registration(group.id)
    assert [delegate.full_name for delegate in _fresh(group.id).all_delegates] == ["", ""]


# Substitutions ---------------------------------------------------------------------------------------------


def test_a_contact_replaces_an_approved_delegate_who_hands_over_place_and_seat(actor, make_event, make_user, delegation):
    event = make_event(capacity=3)
    make_user("organizer@example.org", events=[event])
    group = register(event.id, delegation(size=3, language="en")).registration
    actions.approve(actor, group.id)
    group = _fresh(group.id)
    leaving = group.delegates[1]
    old_ticket = next(ticket for ticket in tickets(group) if ticket.holder == "Delegate 2")

    new = substitute(group.id, leaving.key, DelegateData(full_name="Nguyễn Văn Bình", nationality="VN"))

    group = _fresh(group.id)
    assert group.status == RegistrationStatus.CONFIRMED and group.seats == 3
    assert [(d.full_name, d.status.value) for d in group.delegates] == [
        ("Delegate 1", "approved"), ("Nguyễn Văn Bình", "approved"), ("Delegate 3", "approved"),
    ]  # fmt: skip
    assert db.session.get(Delegate, leaving.id).status == DelegateStatus.SUBSTITUTED
    assert db.session.get(Delegate, new.id).replaces_id == leaving.id
    assert db.session.get(Event, event.id).seats_taken == 3
    assert "Nguyễn Văn Bình" in [ticket.holder for ticket in tickets(group)] and old_ticket.url not in [
        t.url for t in tickets(group)
    ]
    assert group.changes[-1].action == "substituted" and group.changes[-1].note == "Delegate 2 → Nguyễn Văn Bình"
    email = render(_last_email("registration_substituted"))
    assert "Nguyễn Văn Bình now replaces Delegate 2" in email.text
    assert any(a.filename.endswith(".png") for a in email.attachments)
    told = _last_email("substitution_notice")
    assert told.recipient == "organizer@example.org" and "Delegate 2" not in str(told.context)
    assert "nothing awaits your approval" in render(told).text


def test_a_substitute_awaits_approval_where_the_event_wants_it(actor, make_event, make_user, delegation):
    event = make_event(substitutes_need_approval=True)
    make_user("organizer@example.org", events=[event])
    group = register(event.id, delegation(size=2, language="en")).registration
    actions.approve(actor, group.id)
    leaving = _fresh(group.id).delegates[0]

    new = substitute(group.id, leaving.key, DelegateData(full_name="Lee Ji-woo"))

    group = _fresh(group.id)
    assert group.status == RegistrationStatus.PENDING
    assert db.session.get(Delegate, new.id).status == DelegateStatus.PENDING
    assert [ticket.holder for ticket in tickets(group)] == ["Delegate 2"]  # the other one still gets in
    assert "The substitute awaits your approval." in render(_last_email("substitution_notice")).text
    assert "will review the change" in render(_last_email("registration_substituted")).text
    decide_delegates(actor, group.id, [new.id], APPROVE)
    assert _fresh(group.id).status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize("why", ["past the deadline", "already replaced", "another delegation's delegate", "waiting"])
def test_a_substitution_that_cannot_happen_changes_nothing(actor, make_event, delegation, why):
    now = utcnow()
    event = make_event(
        capacity=2 if why == "waiting" else 10,
        substitution_deadline=now - timedelta(minutes=1) if why == "past the deadline" else None,
    )
    group = register(event.id, delegation(size=2)).registration
    other = register(event.id, delegation(size=1, email="other@example.org")).registration
    key = group.delegates[0].key
    if why == "already replaced":
        substitute(group.id, key, DelegateData(full_name="First substitute"))
    elif why == "another delegation's delegate":
        key = other.delegates[0].key
    elif why == "waiting":
        group = other
        assert _fresh(other.id).status == RegistrationStatus.WAITLISTED
        key = other.delegates[0].key
    before = (_names(_fresh(group.id)), db.session.query(OutboxMessage).count())

    with pytest.raises(RegistrationLocked) as refused:
        substitute(group.id, key, DelegateData(full_name="Second substitute"))

    assert (_names(_fresh(group.id)), db.session.query(OutboxMessage).count()) == before
    if why == "past the deadline":
        assert "could be replaced until" in str(refused.value.message)
