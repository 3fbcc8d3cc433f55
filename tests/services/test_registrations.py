"""Registering, seats, the waiting list, editing and cancelling."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from exchange.errors import NotEnoughSeats, RegistrationLocked, RegistrationRefused
from exchange.extensions import db
from exchange.models import (
    Event,
    EventStatus,
    ManageToken,
    OutboxMessage,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    utcnow,
)
from exchange.services import registrations
from exchange.services.emails import render
from exchange.services.registrations import (
    DelegateData,
    cancel,
    register,
    update_contact,
    update_delegates,
    waitlist_position,
)
from exchange.services.tokens import REFERENCE_ALPHABET, registration_for_token
from exchange.text import fold_for_search


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _seats_taken(event) -> int:
    return db.session.scalar(select(Event.seats_taken).where(Event.id == event.id))


def _emails(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def _statuses(*registrations):
    for registration in registrations:
        db.session.refresh(registration)
    return [registration.status for registration in registrations]


def _row(instance, *skip: str) -> dict:
    return {column.key: getattr(instance, column.key) for column in instance.__table__.columns if column.key not in skip}


@pytest.mark.parametrize("capacity", [5, 0], ids=["confirmed", "waitlisted"])
def test_an_individual_registered_at_once_leaves_the_rows_the_full_path_leaves(make_event, individual, monkeypatch, capacity):
    """register() confirms (or waitlists) an individual in a few statements; the full path, forced, writes the same rows."""
    titles = {"vi": "Ngày Quốc tế Yoga", "en": "International Yoga Day", "ko": "국제 요가의 날"}
    at_once, in_full = make_event(titles=titles, capacity=capacity), make_event(titles=titles, capacity=capacity)
    request = individual(email="Seo-yeon@Example.kr", language="ko", full_name="이서연", organization="Đại học Cần Thơ")
    registrations_before = _count(Registration)
    quick = register(at_once.id, request, seen_full=capacity == 0)
    monkeypatch.setattr(registrations, "_register_individual_at_once", lambda *_args, **_kwargs: None)
    full = register(in_full.id, request)
    assert _count(Registration) == registrations_before + 2
    db.session.expire_all()
    first, second = quick.registration, full.registration
    per_row = ("id", "event_id", "reference", "ticket_key", "search_text", "consent_at", "created_at", "updated_at")
    assert _row(first, *per_row) == _row(second, *per_row)
    expected = RegistrationStatus.CONFIRMED if capacity else RegistrationStatus.WAITLISTED
    assert first.status == expected and first.email_normalized == "seo-yeon@example.kr"
    for registration, outcome in ((first, quick), (second, full)):
        assert registration.search_text == fold_for_search("이서연", "Đại học Cần Thơ", registration.reference)
        assert registration_for_token(outcome.token) == registration
        assert registration.event.seats_taken == (1 if capacity else 0)
    change = ("id", "registration_id", "at")
    assert [_row(c, *change) for c in first.changes] == [_row(c, *change) for c in second.changes]
    message = ("id", "registration_id", "message_id", "created_at", "next_attempt_at")
    assert [_row(m, *message) for m in _emails() if m.registration_id == first.id] == [
        _row(m, *message) for m in _emails() if m.registration_id == second.id
    ]
    assert "국제 요가의 날" in _emails()[0].subject


def test_a_stale_full_hint_still_gets_the_seat(make_event, individual):
    event = make_event(capacity=1)
    assert register(event.id, individual(), seen_full=True).registration.status == RegistrationStatus.CONFIRMED
    assert _seats_taken(event) == 1


def test_confirming_at_once_takes_the_seat_after_writing_the_rows(make_event, individual, statements):
    """On PostgreSQL the event row, which every registration locks, is held for the last statements only."""
    event_id = make_event(capacity=5).id
    statements.clear()
    register(event_id, individual())
    written = [
        " ".join(statement.split()[:3:2] if statement.startswith("INSERT") else statement.split()[:2])
        for statement in statements
        if statement.startswith(("INSERT", "UPDATE"))
    ]
    assert written == [
        "INSERT registration", "INSERT registration_change", "INSERT manage_token", "INSERT outbox_message", "UPDATE event"
    ]  # fmt: skip
    assert len([statement for statement in statements if not statement.startswith("BEGIN")]) == 7


def test_individuals_are_confirmed_then_waitlisted(make_event, individual):
    event = make_event(capacity=2)
    outcomes = [register(event.id, individual(email=f"p{number}@example.com")) for number in range(3)]
    assert [outcome.registration.status for outcome in outcomes] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert _seats_taken(event) == 2
    assert [message.kind for message in _emails()] == ["registration_confirmed"] * 2 + ["registration_waitlisted"]


def test_a_delegation_holds_its_seats_while_pending(make_event, delegation):
    event = make_event(capacity=10)
    outcome = register(event.id, delegation(size=4))
    registration = outcome.registration
    assert registration.status == RegistrationStatus.PENDING
    assert registration.seats == 4 and [delegate.full_name for delegate in registration.delegates][-1] == "Delegate 4"
    assert _seats_taken(event) == 4
    (email,) = _emails()
    assert email.kind == "registration_pending" and email.language == "ko"


def test_a_delegation_that_does_not_fit_whole_is_waitlisted(make_event, delegation, individual):
    event = make_event(capacity=5)
    register(event.id, individual())
    outcome = register(event.id, delegation(size=5))
    assert outcome.registration.status == RegistrationStatus.WAITLISTED
    assert _seats_taken(event) == 1


def test_the_same_address_cannot_register_twice_and_gets_its_link(make_event, individual):
    event = make_event()
    first = register(event.id, individual(email="Lan@Example.com"))
    again = register(event.id, individual(email="lan@example.COM", full_name="Someone else"))
    assert again.duplicate and again.token is None
    assert _count(Registration) == 1
    (link,) = _emails("registration_link")
    assert link.recipient == "Lan@Example.com"
    assert first.registration.reference in render(link).text
    # A third attempt right away does not flood the inbox.
    register(event.id, individual(email="LAN@example.com"))
    assert len(_emails("registration_link")) == 1


def test_the_database_refuses_two_active_registrations_of_one_address(make_event, individual):
    event = make_event()
    registration = register(event.id, individual()).registration
    clone = Registration(
        event_id=event.id, kind=RegistrationKind.INDIVIDUAL, status=RegistrationStatus.WAITLISTED, reference="CT-TEST-0000",
        full_name="x", email="LAN@example.com", email_normalized=registration.email_normalized, language="vi",
        consent_at=utcnow(),
    )  # fmt: skip
    db.session.add(clone)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_after_cancelling_the_address_may_register_again(make_event, individual):
    event = make_event()
    first = register(event.id, individual())
    cancel(first.registration.id)
    second = register(event.id, individual())
    assert not second.duplicate and second.registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"registration_opens_at": utcnow() + timedelta(days=1)}, "has not opened yet"),
        (
            {"registration_closes_at": utcnow() - timedelta(minutes=1), "registration_opens_at": utcnow() - timedelta(days=3)},
            "is closed",
        ),
        ({"status": EventStatus.DRAFT}, "does not take registrations"),
        ({"status": EventStatus.CANCELLED}, "does not take registrations"),
        ({"allows_individuals": False}, "delegations only"),
    ],
)
def test_an_individual_outside_the_rules_is_refused_and_nothing_is_stored(make_event, individual, overrides, message):
    event = make_event(**overrides)
    with pytest.raises(RegistrationRefused, match=message):
        register(event.id, individual())
    assert (_count(Registration), _count(OutboxMessage), _seats_taken(event)) == (0, 0, 0)


def test_delegations_are_refused_where_not_allowed_or_too_large(make_event, delegation):
    closed = make_event(allows_delegations=False)
    with pytest.raises(RegistrationRefused, match="does not take delegations"):
        register(closed.id, delegation())
    small = make_event(max_delegation_size=3)
    with pytest.raises(RegistrationRefused, match="from 1 to 3 delegates"):
        register(small.id, delegation(size=4))
    assert _count(Registration) == 0


def test_freed_seats_promote_the_first_entries_that_fit_in_arrival_order(make_event, individual, delegation):
    event = make_event(capacity=3)
    first = register(event.id, individual(email="a@example.com")).registration
    big = register(event.id, delegation(size=2, email="b@example.org")).registration
    too_big = register(event.id, delegation(size=3, email="c@example.org")).registration
    fits = register(event.id, individual(email="d@example.com")).registration
    also_fits = register(event.id, individual(email="e@example.com")).registration
    assert _statuses(too_big, fits, also_fits) == [RegistrationStatus.WAITLISTED] * 3
    assert (waitlist_position(too_big), waitlist_position(fits), waitlist_position(also_fits)) == (1, 2, 3)

    cancel(big.id)

    assert _statuses(first, big, too_big, fits, also_fits) == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.WAITLISTED,  # three seats needed, two freed: it keeps its place
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
    ]
    assert _seats_taken(event) == 3
    assert waitlist_position(too_big) == 1
    assert [message.recipient for message in _emails("registration_promoted")] == ["d@example.com", "e@example.com"]
    assert [change.action for change in fits.changes] == ["registered", "promoted"]


def test_a_promoted_delegation_awaits_approval(make_event, individual, delegation):
    event = make_event(capacity=2)
    holder = register(event.id, individual()).registration
    waiting = register(event.id, delegation(size=2)).registration
    cancel(holder.id)
    assert _statuses(waiting) == [RegistrationStatus.PENDING]
    assert _seats_taken(event) == 2


def test_growing_a_delegation_needs_free_seats(make_event, delegation):
    event = make_event(capacity=5)
    registration = register(event.id, delegation(size=3)).registration
    contact = registration_contact(registration)
    with pytest.raises(NotEnoughSeats):
        update_delegates(registration.id, contact, [DelegateData(full_name=f"D{number}") for number in range(6)])
    db.session.rollback()
    db.session.refresh(registration)
    assert (registration.seats, len(registration.delegates), _seats_taken(event)) == (3, 3, 3)
    update_delegates(registration.id, contact, [DelegateData(full_name=f"D{number}") for number in range(5)])
    assert (registration.seats, _seats_taken(event)) == (5, 5)


def test_shrinking_a_delegation_frees_seats_for_the_waiting_list(make_event, delegation, individual):
    event = make_event(capacity=3)
    registration = register(event.id, delegation(size=3)).registration
    waiting = register(event.id, individual()).registration
    update_delegates(registration.id, registration_contact(registration), [DelegateData(full_name="Only one")])
    assert _statuses(waiting) == [RegistrationStatus.CONFIRMED]
    assert _seats_taken(event) == 2


def test_changes_stop_when_registration_closes(make_event, individual):
    event = make_event()
    registration = register(event.id, individual()).registration
    db.session.execute(update(Event).where(Event.id == event.id).values(registration_closes_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with pytest.raises(RegistrationLocked):
        update_contact(registration.id, registration_contact(registration))


def test_a_cancelled_registration_cannot_be_cancelled_again(make_event, individual):
    event = make_event(capacity=1)
    registration = register(event.id, individual()).registration
    cancel(registration.id)
    with pytest.raises(RegistrationLocked):
        cancel(registration.id)
    assert _seats_taken(event) == 0
    assert len(_emails("registration_cancelled")) == 1


def test_references_and_tokens(make_event, individual):
    event = make_event()
    outcome = register(event.id, individual())
    reference = outcome.registration.reference
    assert reference.startswith("CT-") and len(reference) == 12
    assert set(reference[3:].replace("-", "")) <= set(REFERENCE_ALPHABET)
    assert not set("01IO") & set(reference[3:])
    assert len(outcome.token) >= 43  # 256 bits, base64
    assert registration_for_token(outcome.token) == outcome.registration
    assert registration_for_token(outcome.token[:-1] + ("A" if outcome.token[-1] != "A" else "B")) is None
    stored = db.session.scalars(select(ManageToken.token_hash)).all()
    assert outcome.token not in stored and all(len(digest) == 64 for digest in stored)


def test_the_seat_count_cannot_exceed_capacity_even_by_hand(make_event):
    event = make_event(capacity=2)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).where(Event.id == event.id).values(seats_taken=3))
        db.session.commit()
    db.session.rollback()


def registration_contact(registration):
    from exchange.services.registrations import ContactData

    return ContactData(full_name=registration.full_name, organization=registration.organization, country=registration.country)
