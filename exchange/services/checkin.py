"""Checking people in at the door: an individual, or each delegate of a delegation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from ..database import begin_write
from ..errors import ExchangeError
from ..extensions import db
from ..models import Delegate, Event, Registration, RegistrationKind, RegistrationStatus, utcnow
from .audit import Actor, record


class CheckInRefused(ExchangeError):
    """The person cannot be checked in (not confirmed, unknown delegate)."""


@dataclass(frozen=True)
class CheckIn:
    name: str
    at: datetime
    already: bool  # True: this is a second scan; `at` is the first one


def check_in(actor: Actor, registration_id: int, delegate_id: int | None = None) -> CheckIn:
    """Mark an attendee as arrived, once: a second scan reports when the first one was."""
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise CheckInRefused(_l("This registration is not confirmed (%(status)s).", status=registration.status.title))
    if registration.is_delegation:
        delegate = next((d for d in registration.delegates if d.id == delegate_id), None)
        if delegate is None:
            raise CheckInRefused(_l("This delegate is not on the delegation's list."))
        target, row_id, name = Delegate, delegate.id, delegate.full_name
    else:
        target, row_id, name = Registration, registration.id, registration.full_name
    now = utcnow()
    marked = db.session.execute(
        update(target)
        .where(target.id == row_id, target.checked_in_at.is_(None))
        .values(checked_in_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount == 0:
        first = db.session.scalar(select(target.checked_in_at).where(target.id == row_id))
        db.session.commit()
        return CheckIn(name=name, at=first, already=True)
    record(actor, "checkin", registration=registration, delegate=delegate_id)
    db.session.commit()
    return CheckIn(name=name, at=now, already=False)


def undo_check_in(actor: Actor, registration_id: int, delegate_id: int | None = None) -> None:
    """Take back a check-in made by mistake."""
    begin_write()
    registration = db.session.get(Registration, registration_id)
    target, row_id = (Delegate, delegate_id) if registration.is_delegation else (Registration, registration.id)
    db.session.execute(
        update(target).where(target.id == row_id).values(checked_in_at=None).execution_options(synchronize_session=False)
    )
    record(actor, "checkin.undone", registration=registration, delegate=delegate_id)
    db.session.commit()


@dataclass(frozen=True)
class DoorCounts:
    expected: int
    arrived: int


def door_counts(event: Event) -> DoorCounts:
    """Confirmed attendees and how many have arrived (two queries)."""
    confirmed = (Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
    individuals = db.session.execute(
        select(func.count(), func.count(Registration.checked_in_at)).where(
            *confirmed, Registration.kind == RegistrationKind.INDIVIDUAL
        )
    ).one()
    delegates = db.session.execute(
        select(func.count(), func.count(Delegate.checked_in_at)).join(Registration).where(*confirmed)
    ).one()
    return DoorCounts(expected=individuals[0] + delegates[0], arrived=individuals[1] + delegates[1])


def door_list(event: Event, search: str = "", limit: int = 50) -> list[Registration]:
    """Confirmed registrations matching a name, reference, organisation or delegate's name."""
    query = (
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(selectinload(Registration.delegates))
        .order_by(Registration.full_name, Registration.id)
        .limit(limit)
    )
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        delegate_match = select(Delegate.registration_id).where(func.lower(Delegate.full_name).like(pattern))
        query = query.where(
            or_(
                func.lower(Registration.full_name).like(pattern),
                func.lower(Registration.reference).like(pattern),
                func.lower(Registration.organization).like(pattern),
                Registration.id.in_(delegate_match),
            )
        )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class SignInSheet:
    individuals: list[Registration]
    delegations: list[Registration]


def sign_in_sheet(event: Event) -> SignInSheet:
    """Confirmed attendees for the printed sheet: individuals by name, then each delegation with its delegates."""
    confirmed = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(selectinload(Registration.delegates))
        .order_by(Registration.organization, Registration.full_name, Registration.id)
    ).all()
    individuals = sorted((r for r in confirmed if not r.is_delegation), key=lambda registration: registration.full_name.lower())
    return SignInSheet(individuals=individuals, delegations=[r for r in confirmed if r.is_delegation])
