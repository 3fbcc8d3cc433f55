"""What organizers do to registrations: approve, decline, cancel, promote, resend.

Each action runs in one write transaction, records the step in the
registration's history and in the audit log, and emails the registrant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..database import begin_write
from ..errors import ExchangeError, NotEnoughSeats, RegistrationLocked
from ..extensions import db
from ..models import Delegate, Registration, RegistrationStatus
from .audit import Actor, record
from .notifications import Notice, notify
from .seats import fill_from_waitlist, record_change, release_seats, take_seats


def _load(registration_id: int) -> Registration:
    begin_write()
    return db.session.get(Registration, registration_id, populate_existing=True)


def _step(actor: Actor, registration: Registration, action: str, status: RegistrationStatus | None, note: str = "") -> None:
    record_change(registration, action, status)
    registration.changes[-1].user_id = actor.user.id
    registration.changes[-1].note = note
    record(actor, f"registration.{action}", registration=registration, note=note)


def _release_and_promote(registration: Registration) -> None:
    release_seats(registration.event, registration.seats)
    for promoted in fill_from_waitlist(registration.event):
        notify(promoted, Notice.PROMOTED)


def approve(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Confirm a pending delegation (its seats are already held) and email its tickets."""
    registration = _load(registration_id)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationLocked(_l("Only a delegation awaiting approval can be approved."))
    _step(actor, registration, "approved", RegistrationStatus.CONFIRMED, message)
    notify(registration, Notice.APPROVED, message=message)
    db.session.commit()
    return registration


def _withdraw(
    actor: Actor, registration: Registration, action: str, status: RegistrationStatus, notice: Notice, message: str
) -> None:
    """End a registration; seats it held go to the waiting list, whose promoted entries are emailed."""
    held = registration.status.holds_seats
    _step(actor, registration, action, status, message)
    notify(registration, notice, message=message)
    if held:
        _release_and_promote(registration)
    db.session.commit()


def decline(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Decline a pending or waiting delegation; held seats go to the waiting list."""
    registration = _load(registration_id)
    if not registration.is_delegation or registration.status not in (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED):
        raise RegistrationLocked(_l("Only a delegation awaiting approval or on the waiting list can be declined."))
    _withdraw(actor, registration, "declined", RegistrationStatus.DECLINED, Notice.DECLINED, message)
    return registration


def cancel_by_organizer(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Cancel any active registration; its seats go to the waiting list."""
    registration = _load(registration_id)
    if not registration.is_active:
        raise RegistrationLocked(_l("This registration is no longer active and cannot be changed."))
    _withdraw(actor, registration, "cancelled", RegistrationStatus.CANCELLED, Notice.CANCELLED, message)
    return registration


def promote(actor: Actor, registration_id: int) -> Registration:
    """Give a waiting registration its seats now, out of turn if need be. Raises NotEnoughSeats."""
    registration = _load(registration_id)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RegistrationLocked(_l("Only a registration on the waiting list can be promoted."))
    if not take_seats(registration.event, registration.seats):
        raise NotEnoughSeats(_l("There are not enough free seats for this registration."))
    new_status = RegistrationStatus.PENDING if registration.is_delegation else RegistrationStatus.CONFIRMED
    _step(actor, registration, "promoted", new_status)
    notify(registration, Notice.PROMOTED)
    db.session.commit()
    return registration


_NOTICE_FOR_STATUS = {
    RegistrationStatus.CONFIRMED: Notice.CONFIRMED,
    RegistrationStatus.PENDING: Notice.PENDING,
    RegistrationStatus.WAITLISTED: Notice.WAITLISTED,
    RegistrationStatus.DECLINED: Notice.DECLINED,
    RegistrationStatus.CANCELLED: Notice.CANCELLED,
}


def resend(actor: Actor, registration_id: int) -> Registration:
    """Email the registrant their current status again, with a fresh manage link."""
    registration = _load(registration_id)
    notify(registration, _NOTICE_FOR_STATUS[registration.status])
    record(actor, "registration.resent", registration=registration)
    db.session.commit()
    return registration


ACTIONS = {"approve": approve, "decline": decline, "cancel": cancel_by_organizer, "promote": promote, "resend": resend}
_WITH_MESSAGE = {"approve", "decline", "cancel"}


def perform(actor: Actor, action: str, registration_id: int, message: str = "") -> Registration:
    """Run one of ACTIONS; the organizer's message goes with those that email a decision."""
    arguments = (message,) if action in _WITH_MESSAGE else ()
    return ACTIONS[action](actor, registration_id, *arguments)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # references
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def apply_to_many(actor: Actor, action: str, registrations: list[Registration], message: str = "") -> BulkResult:
    """Apply one action to several registrations, each in its own transaction; a refusal skips only that one."""
    result = BulkResult()
    for registration in registrations:
        reference = registration.reference
        try:
            perform(actor, action, registration.id, message)
        except ExchangeError as error:
            db.session.rollback()
            result.refused.append((reference, str(error.message)))
        else:
            result.done.append(reference)
    return result


@dataclass(frozen=True)
class RegistrationFilters:
    search: str = ""
    status: RegistrationStatus | None = None
    kind: str = ""
    country: str = ""
    category: str = ""


def registrations_query(event_id: int, filters: RegistrationFilters):
    """A select() of an event's registrations for the back-office table: search and filters, newest first."""
    query = (
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.delegates))
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    )
    if filters.search.strip():
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Registration.full_name).like(pattern),
                Registration.email_normalized.like(pattern),
                func.lower(Registration.reference).like(pattern),
                func.lower(Registration.organization).like(pattern),
                Registration.id.in_(select(Delegate.registration_id).where(func.lower(Delegate.full_name).like(pattern))),
            )
        )
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.kind:
        query = query.where(Registration.kind == filters.kind)
    if filters.country:
        query = query.where(Registration.country == filters.country)
    if filters.category:
        query = query.where(Registration.category == filters.category)
    return query


def registration_by_reference(event_id: int, reference: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.reference == reference.upper())
    )


def registrations_by_ids(event_id: int, ids: list[int]) -> list[Registration]:
    """The event's registrations among `ids` (ids of other events are ignored)."""
    return list(
        db.session.scalars(
            select(Registration).where(Registration.event_id == event_id, Registration.id.in_(ids)).order_by(Registration.id)
        )
    )
