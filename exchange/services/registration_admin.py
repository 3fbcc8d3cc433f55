"""What organizers do to registrations: approve, decline, cancel, promote, resend.

Each action is one write transaction that starts at `transitions.begin`
(the rows it decides on locked, the statuses it leaves from checked),
records the step in the registration's history and in the audit log, and
emails the registrant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..database import transactional
from ..errors import ExchangeError, NotEnoughSeats, RegistrationLocked
from ..extensions import db
from ..models import Delegate, Registration, RegistrationStatus, Transition, utcnow
from . import transitions
from .audit import Actor, record
from .notifications import Notice, notify
from .registrations import notify_promoted
from .seats import fill_from_waitlist, record_change, release_seats, take_seats


def _step(actor: Actor, registration: Registration, action: str, status: RegistrationStatus | None, note: str = "") -> None:
    record_change(registration, action, status)
    registration.changes[-1].user_id = actor.user.id
    registration.changes[-1].note = note
    record(actor, f"registration.{action}", registration=registration, reference=registration.reference, note=note)


@transactional
def approve(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Confirm a pending delegation (its seats are already held) and email its tickets. Raises RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.APPROVE)
    if registration.address_confirmed_at is None:
        registration.address_confirmed_at, registration.confirm_by = utcnow(), None  # the organizers vouch for it
    _step(actor, registration, "approved", RegistrationStatus.CONFIRMED, message)
    notify(registration, Notice.APPROVED, message=message)
    return registration


def _withdraw(
    actor: Actor, registration: Registration, action: str, status: RegistrationStatus, notice: Notice, message: str
) -> None:
    """End a registration; seats it held go to the waiting list, whose promoted entries are emailed."""
    held = registration.status.holds_seats
    _step(actor, registration, action, status, message)
    notify(registration, notice, message=message)
    if held:
        release_seats(registration.event, registration.seats)
        for promoted in fill_from_waitlist(registration.event):
            notify_promoted(promoted)


@transactional
def decline(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Decline a pending or waiting delegation; held seats go to the waiting list. Raises RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.DECLINE)
    _withdraw(actor, registration, "declined", RegistrationStatus.DECLINED, Notice.DECLINED, message)
    return registration


@transactional
def cancel_by_organizer(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Cancel any active registration; its seats go to the waiting list. Raises RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.CANCEL)
    _withdraw(actor, registration, "cancelled", RegistrationStatus.CANCELLED, Notice.CANCELLED, message)
    return registration


@transactional
def promote(actor: Actor, registration_id: int) -> Registration:
    """Give a waiting registration its seats now, out of turn if need be. Raises NotEnoughSeats, RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.PROMOTE)
    if not take_seats(registration.event, registration.seats):
        raise NotEnoughSeats(_l("There are not enough free seats for this registration."))
    new_status = RegistrationStatus.PENDING if registration.is_delegation else RegistrationStatus.CONFIRMED
    _step(actor, registration, "promoted", new_status)
    notify_promoted(registration)
    return registration


_NOTICE_FOR_STATUS = {
    RegistrationStatus.CONFIRMED: Notice.CONFIRMED,
    RegistrationStatus.PENDING: Notice.PENDING,
    RegistrationStatus.WAITLISTED: Notice.WAITLISTED,
    RegistrationStatus.DECLINED: Notice.DECLINED,
    RegistrationStatus.CANCELLED: Notice.CANCELLED,
}


@transactional
def resend(actor: Actor, registration_id: int) -> Registration:
    """Email the registrant their current status again, with a fresh manage link; once per minute at most."""
    registration = transitions.begin(registration_id, Transition.RESEND)
    now = utcnow()
    last = registration.link_resent_at
    if last is not None and (now - last).total_seconds() < current_app.config["RESEND_INTERVAL_SECONDS"]:
        raise RegistrationLocked(_l("This registrant was emailed a moment ago."))
    registration.link_resent_at = now
    notify(registration, _NOTICE_FOR_STATUS[registration.status])
    record(actor, "registration.resent", registration=registration, reference=registration.reference)
    return registration


ACTIONS: dict[str, Callable[..., Registration]] = {
    "approve": approve,
    "decline": decline,
    "cancel": cancel_by_organizer,
    "promote": promote,
    "resend": resend,
}
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


def registrations_by_ids(event_id: int, ids: list[int]) -> list[Registration] | None:
    """The event's registrations with these ids; None if any of them is not one of this event's."""
    wanted = set(ids)
    found = list(
        db.session.scalars(
            select(Registration).where(Registration.event_id == event_id, Registration.id.in_(wanted)).order_by(Registration.id)
        )
    )
    return found if len(found) == len(wanted) else None
