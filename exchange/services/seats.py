"""Seats: the only code that writes `Event.seats_taken`.

Taking seats is one conditional UPDATE whose row count says whether it
fitted; it is atomic on SQLite and PostgreSQL alike, and the CHECK on the
event table backs it. Freeing seats needs no lock. The waiting list is
filled in arrival order, first entry that fits.

Callers run inside a write transaction (`database.begin_write`) and commit.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import Event, Registration, RegistrationChange, RegistrationStatus


def take_seats(event: Event, count: int) -> bool:
    """Hold `count` more seats of `event` if they are left; False (and nothing held) if not."""
    if count <= 0:
        raise ValueError("take_seats needs a positive count")
    if not current_app.config["SEAT_LOCKING"]:
        return _take_seats_unguarded(event, count)
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken + count <= Event.capacity)
        .values(seats_taken=Event.seats_taken + count)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])
    return result.rowcount == 1


def _take_seats_unguarded(event: Event, count: int) -> bool:
    # Read, decide, write: the race that SEAT_LOCKING=False exists to demonstrate.
    taken = db.session.scalar(select(Event.seats_taken).where(Event.id == event.id))
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
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(seats_taken=Event.seats_taken - count)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["seats_taken"])


def fill_from_waitlist(event: Event) -> list[Registration]:
    """Promote waiting registrations, in arrival order, each that fits the seats left.

    A promoted individual is confirmed; a promoted delegation becomes pending
    (it still awaits approval). Returns the promoted registrations, whom the
    caller notifies. The event row is locked while choosing (PostgreSQL; on
    SQLite the IMMEDIATE transaction already excludes other writers).
    """
    taken, capacity = db.session.execute(
        select(Event.seats_taken, Event.capacity).where(Event.id == event.id).with_for_update()
    ).one()
    free = capacity - taken
    if free <= 0:
        return []
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.created_at, Registration.id)
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
