"""Seats: the only code that writes `Event.seats_taken` and `Event.capacity`.

Taking seats is one conditional UPDATE whose row count says whether it
fitted; it is atomic on SQLite and PostgreSQL alike, and the CHECK on the
event table backs it. Freeing seats is an UPDATE too (never a value computed
in Python), and changing the capacity is conditional on the seats held. The
waiting list is filled in arrival order, first entry that fits, with the
waiting rows locked so a registration cancelled meanwhile is never promoted.

Callers run inside `database.write_transaction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import CursorResult

from ..database import for_update, locking_enabled
from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATUSES,
    Event,
    EventStatus,
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationChange,
    RegistrationStatus,
    utcnow,
)


def take_seats(event: Event, count: int) -> bool:
    """Hold `count` more seats of `event` if they are left; False (and nothing held) if not."""
    if count <= 0:
        raise ValueError("take_seats needs a positive count")
    if not locking_enabled():
        return _take_seats_unguarded(event, count)
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken + count <= Event.capacity)
        .values(seats_taken=Event.seats_taken + count)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])
    return cast(CursorResult, result).rowcount == 1  # DML gives a CursorResult; Session.execute is typed as returning Result


# The statements of the registration's rush-hour path, built once: building one costs more than running it.
_TAKES_INDIVIDUALS_NOW = (
    Event.id == bindparam("event_id"),
    Event.status == EventStatus.PUBLISHED,
    Event.allows_individuals.is_(True),
    Event.registration_opens_at <= bindparam("now"),
    Event.registration_closes_at > bindparam("now"),
)
_TAKE_ONE_SEAT = (
    update(Event)
    .where(*_TAKES_INDIVIDUALS_NOW, Event.seats_taken + 1 <= Event.capacity)
    .values(seats_taken=Event.seats_taken + 1)
    .returning(Event.max_delegation_size)
    .execution_options(synchronize_session=False)
)
_OPEN_EVENT_SEATS = select(Event.seats_taken, Event.capacity, Event.max_delegation_size).where(*_TAKES_INDIVIDUALS_NOW)
_FULL_OPEN_EVENT = select(Event.id).where(*_TAKES_INDIVIDUALS_NOW, Event.seats_taken + 1 > Event.capacity)


def take_seat_if_open(event_id: int, now: datetime) -> int | None:
    """Hold one seat of an event that takes individuals at `now`, if one is left; None (and nothing held) if not.

    One conditional UPDATE decides the status, the window, the audience and the
    seat on the row it locks, so nothing read earlier can be stale. Returns the
    event's largest delegation size, which the seat caps need.
    """
    which = {"event_id": event_id, "now": now}
    if not locking_enabled():
        # Read, decide, write, as _take_seats_unguarded does.
        row = db.session.execute(_OPEN_EVENT_SEATS, which).first()
        if row is None or row.seats_taken + 1 > row.capacity:
            return None
        db.session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(seats_taken=row.seats_taken + 1)
            .execution_options(synchronize_session=False)
        )
        return row.max_delegation_size
    return db.session.execute(_TAKE_ONE_SEAT, which).scalar()


def lock_if_full(event_id: int, now: datetime) -> bool:
    """Lock an event that takes individuals at `now` and has no seat left; False if it has one, or is not open.

    Until commit no seat can be freed (and given to the waiting list) under a
    registration that joins the waiting list here.
    """
    return db.session.execute(for_update(_FULL_OPEN_EVENT), {"event_id": event_id, "now": now}).first() is not None


def _take_seats_unguarded(event: Event, count: int) -> bool:
    # Read, decide, write: the race that LOCKING=False exists to demonstrate.
    taken = db.session.execute(select(Event.seats_taken).where(Event.id == event.id)).scalar_one()
    if taken + count > event.capacity:
        return False
    db.session.execute(
        update(Event).where(Event.id == event.id).values(seats_taken=taken + count).execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])
    return True


def release_seats(event: Event, count: int) -> None:
    """Give `count` held seats back."""
    if count <= 0:
        raise ValueError("release_seats needs a positive count")
    if not locking_enabled():
        taken = db.session.execute(select(Event.seats_taken).where(Event.id == event.id)).scalar_one()
        db.session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(seats_taken=max(taken - count, 0))
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(seats_taken=Event.seats_taken - count)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(event, ["seats_taken"])


def take_seats_for(registration: Registration, count: int) -> bool:
    """Hold `count` more seats for `registration`: from the open invitation it came through first, then free seats.

    False, and nothing more held, when they do not fit.
    """
    drawn = _invitation_seats(registration, count, draw=True)
    if drawn == count or take_seats(registration.event, count - drawn):
        return True
    if drawn:
        _invitation_seats(registration, drawn, draw=False)
    return False


def release_seats_held_by(registration: Registration, count: int) -> None:
    """Give back `count` seats `registration` held: to the invitation it came through while that is open (its
    partner may still use them until the deadline), the rest to the public."""
    kept = _invitation_seats(registration, count, draw=False)
    if count > kept:
        release_seats(registration.event, count - kept)


def _invitation_seats(registration: Registration, count: int, *, draw: bool) -> int:
    """Draw up to `count` seats from the registration's open invitation, or give up to `count` back; how many moved.

    The invitation's row is locked first, so its counts cannot change before commit.
    """
    if registration.invitation_id is None:
        return 0
    invitation = db.session.scalar(
        for_update(
            select(Invitation).where(
                Invitation.id == registration.invitation_id,
                Invitation.status == InvitationStatus.ACTIVE,
                Invitation.deadline > utcnow(),
            )
        ).execution_options(populate_existing=True)
    )
    if invitation is None:
        return 0
    moved = min(count, invitation.seats - invitation.seats_used) if draw else min(count, invitation.seats_used)
    invitation.seats_used += moved if draw else -moved
    return moved


def release_all_seats(event: Event) -> None:
    """Every seat of `event` is free again (the event was cancelled with all its holders)."""
    db.session.execute(
        update(Event).where(Event.id == event.id).values(seats_taken=0).execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])


def set_capacity(event: Event, capacity: int) -> bool:
    """Change the capacity unless fewer seats than are held; True if changed. The caller then fills the waiting list."""
    if capacity < 0:
        raise ValueError("capacity cannot be negative")
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["capacity", "seats_taken"])
    return cast(CursorResult, result).rowcount == 1


def fill_from_waitlist(event: Event) -> list[Registration]:
    """Promote waiting registrations, in arrival order, each that fits the seats left.

    A promoted individual is confirmed; a promoted delegation becomes pending
    (it still awaits approval). Returns the promoted registrations, whom the
    caller notifies. The event row is locked while choosing (PostgreSQL; on
    SQLite the IMMEDIATE transaction already excludes other writers).
    """
    row = db.session.execute(for_update(select(Event.seats_taken, Event.capacity).where(Event.id == event.id))).one()
    free = row.capacity - row.seats_taken
    if free <= 0:
        return []
    # Locked, so that a waiting registration cancelled by its registrant a moment ago is
    # skipped rather than promoted over its cancellation (PostgreSQL re-reads the row).
    waiting = db.session.scalars(
        for_update(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.created_at, Registration.id)
        ).execution_options(populate_existing=True)
    )
    chosen = []
    for registration in waiting:
        if registration.seats <= free:
            chosen.append(registration)
            free -= registration.seats
            if free == 0:
                break
    if not chosen:
        return []
    if not take_seats(event, sum(registration.seats for registration in chosen)):
        raise RuntimeError("seats vanished while the event row was locked")
    for registration in chosen:
        new_status = RegistrationStatus.PENDING if registration.is_delegation else RegistrationStatus.CONFIRMED
        record_change(registration, "promoted", new_status)
    return chosen


def record_change(registration: Registration, action: str, new_status: RegistrationStatus | None = None) -> None:
    """Set a new status (if any) and add the step to the registration's history."""
    old_status = registration.status
    if new_status is not None:
        registration.status = new_status
    registration.changes.append(
        RegistrationChange(
            action=action,
            from_status=old_status.value if old_status else None,
            to_status=registration.status.value if registration.status else None,
        )
    )


@dataclass(frozen=True)
class SeatDrift:
    slug: str
    counter: int
    held: int


def seat_drift() -> list[SeatDrift]:
    """Events whose seat counter differs from the seats their confirmed and pending registrations hold,
    with the unused seats of their open invitations."""
    held = (
        select(Registration.event_id, func.sum(Registration.seats).label("held"))
        .where(Registration.status.in_(SEAT_HOLDING_STATUSES))
        .group_by(Registration.event_id)
        .subquery()
    )
    reserved = (
        select(Invitation.event_id, func.sum(Invitation.seats - Invitation.seats_used).label("reserved"))
        .where(Invitation.status == InvitationStatus.ACTIVE)
        .group_by(Invitation.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Event.slug,
            Event.seats_taken,
            (func.coalesce(held.c.held, 0) + func.coalesce(reserved.c.reserved, 0)).label("held"),
        )
        .outerjoin(held, held.c.event_id == Event.id)
        .outerjoin(reserved, reserved.c.event_id == Event.id)
        .order_by(Event.slug)
    )
    return [SeatDrift(row.slug, row.seats_taken, int(row.held)) for row in rows if row.seats_taken != row.held]
