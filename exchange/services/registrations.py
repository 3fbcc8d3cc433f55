"""Registering, editing and cancelling: every rule about a registration.

Seats go through `seats`; every state change a registrant should hear about
goes through `notifications.notify`; each public function runs in one write
transaction and commits once at its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..errors import NotEnoughSeats, RegistrationLocked, RegistrationRefused
from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    AttendeeCategory,
    Delegate,
    Event,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    RegistrationWindow,
    utcnow,
)
from .notifications import Notice, notify
from .seats import fill_from_waitlist, record_change, release_seats, take_seats
from .tokens import issue_manage_token, new_reference

# A duplicate attempt re-sends the manage link at most this often, so nobody
# can flood someone's inbox by submitting their address again and again.
LINK_RESEND_INTERVAL_SECONDS = 15 * 60


@dataclass
class ContactData:
    """What a registrant may change later: who they are and how to reach them."""

    full_name: str
    phone: str = ""
    organization: str = ""
    country: str = ""
    category: AttendeeCategory | None = None
    position: str = ""
    notes: str = ""


@dataclass
class DelegateData:
    full_name: str
    position: str = ""
    nationality: str = ""
    dietary: str = ""
    interpreter_language: str = ""


@dataclass
class RegistrationRequest:
    """A validated registration form, individual or delegation."""

    kind: RegistrationKind
    email: str
    language: str
    contact: ContactData
    delegates: list[DelegateData] = field(default_factory=list)


@dataclass
class RegistrationOutcome:
    """What the registrant's browser should see next.

    `token` opens the new registration's manage page. For a duplicate attempt
    both are None: the existing registrant was emailed, and the page says
    only that.
    """

    registration: Registration | None
    token: str | None

    @property
    def duplicate(self) -> bool:
        return self.registration is None


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_open_for(event: Event, kind: RegistrationKind, delegate_count: int = 0) -> None:
    """Raise RegistrationRefused unless `event` takes this kind of registration now."""
    window = event.registration_window()
    if window == RegistrationWindow.UNAVAILABLE:
        raise RegistrationRefused(_l("This event does not take registrations."))
    if window == RegistrationWindow.NOT_YET_OPEN:
        raise RegistrationRefused(_l("Registration for this event has not opened yet."))
    if window == RegistrationWindow.CLOSED:
        raise RegistrationRefused(_l("Registration for this event is closed."))
    if kind == RegistrationKind.INDIVIDUAL and not event.allows_individuals:
        raise RegistrationRefused(_l("This event takes registrations from delegations only."))
    if kind == RegistrationKind.DELEGATION:
        if not event.allows_delegations:
            raise RegistrationRefused(_l("This event does not take delegations."))
        _check_delegation_size(event, delegate_count)


def _check_delegation_size(event: Event, delegate_count: int) -> None:
    if not 1 <= delegate_count <= event.max_delegation_size:
        raise RegistrationRefused(
            _l("A delegation has from 1 to %(size)s delegates.", size=event.max_delegation_size),
        )


def register(event_id: int, request: RegistrationRequest) -> RegistrationOutcome:
    """Register a person or a delegation for an event.

    An individual is confirmed while seats are left, else waitlisted. A
    delegation is pending (holding its seats) while seats for all its
    delegates are left, else waitlisted. An address that already holds an
    active individual registration creates nothing: its registrant is
    emailed their manage link instead. Raises RegistrationRefused when the
    event does not take this registration.
    """
    try:
        return _register(event_id, request)
    except IntegrityError:
        # Another request registered the same address a moment ago; the unique index caught it.
        db.session.rollback()
        return _register(event_id, request)


def _register(event_id: int, request: RegistrationRequest) -> RegistrationOutcome:
    begin_write()
    event = db.session.get(Event, event_id, populate_existing=True)
    is_delegation = request.kind == RegistrationKind.DELEGATION
    check_open_for(event, request.kind, len(request.delegates))
    email_normalized = normalize_email(request.email)
    if not is_delegation:
        existing = _active_individual(event.id, email_normalized)
        if existing is not None:
            _resend_link(existing)
            db.session.commit()
            return RegistrationOutcome(registration=None, token=None)

    seats = len(request.delegates) if is_delegation else 1
    if take_seats(event, seats):
        status = RegistrationStatus.PENDING if is_delegation else RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITLISTED
    registration = Registration(
        event=event,
        kind=request.kind,
        reference=new_reference(),
        seats=seats,
        email=request.email,
        email_normalized=email_normalized,
        language=request.language,
        consent_at=utcnow(),
        consent_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )
    _apply_contact(registration, request.contact)
    registration.delegates = [_delegate(index, data) for index, data in enumerate(request.delegates)]
    db.session.add(registration)
    record_change(registration, "registered", status)
    # The unique index speaks now, inside register()'s try; tickets need the id.
    db.session.flush()
    token = issue_manage_token(registration)
    notify(registration, Notice(status.value))
    db.session.commit()
    return RegistrationOutcome(registration=registration, token=token)


def _active_individual(event_id: int, email_normalized: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.kind == RegistrationKind.INDIVIDUAL,
            Registration.email_normalized == email_normalized,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    )


def _resend_link(registration: Registration) -> None:
    now = utcnow()
    last = registration.link_resent_at
    if last is not None and (now - last).total_seconds() < LINK_RESEND_INTERVAL_SECONDS:
        return
    registration.link_resent_at = now
    notify(registration, Notice.LINK)


def _apply_contact(registration: Registration, contact: ContactData) -> None:
    registration.full_name = contact.full_name
    registration.phone = contact.phone
    registration.organization = contact.organization
    registration.country = contact.country
    registration.category = contact.category
    registration.position = contact.position
    registration.notes = contact.notes


def _delegate(index: int, data: DelegateData) -> Delegate:
    return Delegate(
        sort_order=index,
        full_name=data.full_name,
        position=data.position,
        nationality=data.nationality,
        dietary=data.dietary,
        interpreter_language=data.interpreter_language,
    )


def _lock(registration_id: int) -> Registration:
    """Reload a registration inside a new write transaction, refusing closed ones."""
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if not registration.is_active:
        raise RegistrationLocked(_l("This registration is no longer active and cannot be changed."))
    return registration


def _check_still_editable(registration: Registration) -> None:
    if registration.event.registration_window() != RegistrationWindow.OPEN:
        raise RegistrationLocked(_l("Registration has closed, so this registration can no longer be changed."))


def update_contact(registration_id: int, contact: ContactData) -> Registration:
    """Change the registrant's contact details (the e-mail address stays). Raises RegistrationLocked."""
    registration = _lock(registration_id)
    _check_still_editable(registration)
    _apply_contact(registration, contact)
    record_change(registration, "edited")
    db.session.commit()
    return registration


def update_delegates(registration_id: int, contact: ContactData, delegates: list[DelegateData]) -> Registration:
    """Replace a delegation's contact details and delegate list, re-checking seats.

    More delegates need that many more seats (NotEnoughSeats if they are not
    left, and nothing changes); fewer free seats for the waiting list.
    """
    registration = _lock(registration_id)
    _check_still_editable(registration)
    event = registration.event
    _check_delegation_size(event, len(delegates))
    extra = len(delegates) - registration.seats
    if registration.status.holds_seats and extra > 0 and not take_seats(event, extra):
        raise NotEnoughSeats(
            _ln(
                "Only %(num)s more seat is left, so the delegation cannot grow by %(extra)s.",
                "Only %(num)s more seats are left, so the delegation cannot grow by %(extra)s.",
                event.seats_left,
                extra=extra,
            )
        )
    if registration.status.holds_seats and extra < 0:
        release_seats(event, -extra)
    registration.seats = len(delegates)
    _apply_contact(registration, contact)
    registration.delegates = [_delegate(index, data) for index, data in enumerate(delegates)]
    record_change(registration, "edited")
    promoted = fill_from_waitlist(event)
    for other in promoted:
        notify(other, Notice.PROMOTED)
    db.session.commit()
    return registration


def cancel(registration_id: int) -> Registration:
    """Cancel a registration; its seats go to the waiting list, whose promoted entries are emailed.

    Raises RegistrationLocked if it is already cancelled or declined, or the event has begun.
    """
    registration = _lock(registration_id)
    event = registration.event
    if event.starts_at <= utcnow():
        raise RegistrationLocked(_l("The event has begun, so this registration can no longer be cancelled here."))
    held = registration.status.holds_seats
    record_change(registration, "cancelled", RegistrationStatus.CANCELLED)
    notify(registration, Notice.CANCELLED)
    if held:
        release_seats(event, registration.seats)
        for promoted in fill_from_waitlist(event):
            notify(promoted, Notice.PROMOTED)
    db.session.commit()
    return registration


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.created_at < registration.created_at)
            | ((Registration.created_at == registration.created_at) & (Registration.id < registration.id)),
        )
    )
    return ahead + 1
