"""Checking people in at the door: an individual, or each delegate of a delegation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import lazyload, selectinload

from ..collation import sort_key
from ..database import locking_enabled, write_transaction
from ..errors import ExchangeError, RegistrationNotFound
from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATUSES,
    Delegate,
    DelegateStatus,
    Event,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    utcnow,
)
from .audit import Actor, RegistrationRef, record
from .registration_admin import listed_name, load_in_order
from .search import all_words_in, search_words


class CheckInRefused(ExchangeError):
    """The person cannot be checked in (not confirmed, not checked in, unknown delegate)."""


class OtherDayCheckIn(ExchangeError):
    """The ticket is scanned on a day the event does not take place: the staff must confirm."""


@dataclass(frozen=True)
class CheckIn:
    name: str
    at: datetime
    already: bool  # True: this is a second scan; `at` and `by` are the first one's
    by: str = ""  # who checked them in (the account's email), when known


def _target(registration: Registration, delegate_id: int | None) -> tuple[type[Registration] | type[Delegate], int, str]:
    """(model, row id, name) of the attendee: the person, or a delegate of this delegation (else 404)."""
    delegate = _delegate(registration, delegate_id)
    if delegate is None:
        return Registration, registration.id, registration.full_name
    return Delegate, delegate.id, delegate.full_name


def _delegate(registration: Registration, delegate_id: int | None) -> Delegate | None:
    """The delegation's delegate `delegate_id`, declined and replaced ones included; None for an individual (else 404)."""
    if not registration.is_delegation:
        return None
    delegate = next((d for d in registration.all_delegates if d.id == delegate_id), None)
    if delegate is None:
        raise RegistrationNotFound(_l("This delegate is not on the delegation's list."))
    return delegate


def _check_may_enter(registration: Registration, delegate: Delegate | None) -> None:
    """Refuse someone whose ticket does not let them in: a registration not confirmed, a delegate not approved."""
    if delegate is None:
        if registration.status != RegistrationStatus.CONFIRMED:
            raise _not_confirmed(registration.status)
    elif not delegate.may_enter:
        raise CheckInRefused(
            _l("%(name)s is not approved to attend (%(status)s).", name=delegate.full_name, status=delegate.shown_status.title)
        )


def is_event_day(event: Event, now: datetime | None = None) -> bool:
    """Whether `now` falls on one of the event's days, in the event's time zone."""
    zone = ZoneInfo(event.timezone)
    today = (now or utcnow()).astimezone(zone).date()
    return event.starts_at.astimezone(zone).date() <= today <= event.ends_at.astimezone(zone).date()


def check_in(actor: Actor, registration_id: int, delegate_id: int | None = None, *, other_day_confirmed: bool = False) -> CheckIn:
    """Mark an attendee as arrived, exactly once: a second scan reports when, and by whom, the first one was.

    One conditional UPDATE decides, on the row as it is when it runs, so two
    doors scanning the same ticket at once check the person in once, and a
    registration cancelled a moment ago is not checked in. What the staff
    are told before it (not confirmed, not today) comes from the registration
    as the caller loaded it. Raises CheckInRefused (not confirmed),
    OtherDayCheckIn (not the event's day, unless confirmed by the staff),
    RegistrationNotFound (a delegate of another delegation, or gone).
    """
    # The view has just loaded it, so this is read from the session; an individual's (empty) delegate list is not read.
    registration = db.session.get(Registration, registration_id, options=[lazyload(Registration.delegates)])
    if registration is None:
        raise RegistrationNotFound(_l("This registration no longer exists."))
    target, row_id, name = _target(registration, delegate_id)
    delegate = _delegate(registration, delegate_id)
    _check_may_enter(registration, delegate)
    now = utcnow()
    if not other_day_confirmed and not is_event_day(registration.event, now):
        raise OtherDayCheckIn(_l("Today is not a day of this event. Check the date before letting this person in."))
    about, reference, checked_in_at = (
        RegistrationRef(registration.id, registration.event_id),
        registration.reference,
        (delegate or registration).checked_in_at,
    )
    with write_transaction():
        if _mark(target, row_id, registration_id, actor, now, checked_in_at):
            record(actor, "checkin", registration=about, reference=reference, delegate=delegate_id)
            return CheckIn(name=name, at=now, already=False, by=actor.email)
        first = db.session.execute(
            select(target.checked_in_at, target.checked_in_by)
            .where(target.id == row_id)
            .add_columns(select(Registration.status).where(Registration.id == registration_id).scalar_subquery())
        ).one_or_none()
    if first is None:
        raise RegistrationNotFound(_l("This registration no longer exists."))
    if first.checked_in_at is None:  # not checked in, so the UPDATE found them no longer let in
        if target is Delegate:
            raise CheckInRefused(_l("%(name)s is no longer approved to attend.", name=name))
        raise _not_confirmed(RegistrationStatus(first[2]))
    return CheckIn(name=name, at=first.checked_in_at, already=True, by=first.checked_in_by)


def _not_confirmed(status: RegistrationStatus) -> CheckInRefused:
    return CheckInRefused(_l("This registration is not confirmed (%(status)s).", status=status.title))


def _mark(target, row_id: int, registration_id: int, actor: Actor, now: datetime, loaded: datetime | None) -> bool:
    """Set the arrival unless already set, while the registration is confirmed; True if this call set it."""
    if not locking_enabled():
        # Decide on the value read when the attendee was loaded, then write: the race the negative control shows.
        if loaded is not None:
            return False
        condition: tuple[Any, ...] = (target.id == row_id,)
    else:
        may_enter = (
            Registration.status == RegistrationStatus.CONFIRMED
            if target is Registration
            else and_(
                Delegate.status == DelegateStatus.APPROVED,
                exists().where(Registration.id == registration_id, Registration.status.in_(SEAT_HOLDING_STATUSES)),
            )
        )
        condition = (target.id == row_id, target.checked_in_at.is_(None), may_enter)
    marked = db.session.execute(
        update(target)
        .where(*condition)
        .values(checked_in_at=now, checked_in_by=actor.email)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, marked).rowcount == 1  # DML gives a CursorResult; Session.execute is typed as returning Result


def undo_check_in(actor: Actor, registration_id: int, delegate_id: int | None = None) -> str:
    """Take back a check-in made by mistake; returns the person's name.

    Raises RegistrationNotFound for a delegate of another delegation, CheckInRefused if not checked in.
    """
    with write_transaction():
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        if registration is None:
            raise RegistrationNotFound(_l("This registration no longer exists."))
        target, row_id, name = _target(registration, delegate_id)
        undone = db.session.execute(
            update(target)
            .where(target.id == row_id, target.checked_in_at.is_not(None))
            .values(checked_in_at=None, checked_in_by="")
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult, undone).rowcount == 0:
            raise CheckInRefused(_l("%(name)s is not checked in.", name=name))
        record(actor, "checkin.undone", registration=registration, reference=registration.reference, delegate=delegate_id)
        return name


@dataclass(frozen=True)
class DoorCounts:
    expected: int
    arrived: int


def door_counts(event: Event) -> DoorCounts:
    """Attendees the door lets in (confirmed individuals, approved delegates) and how many have arrived (two queries)."""
    individuals = db.session.execute(
        select(func.count(), func.count(Registration.checked_in_at)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.kind == RegistrationKind.INDIVIDUAL,
        )
    ).one()
    delegates = db.session.execute(
        select(func.count(), func.count(Delegate.checked_in_at))
        .join(Registration)
        .where(Registration.event_id == event.id, *_DELEGATE_MAY_ENTER)
    ).one()
    return DoorCounts(expected=individuals[0] + delegates[0], arrived=individuals[1] + delegates[1])


# A delegate the door lets in: approved, in a delegation holding its seats (approved, or awaiting a decision on others).
_DELEGATE_MAY_ENTER = (Delegate.status == DelegateStatus.APPROVED, Registration.status.in_(SEAT_HOLDING_STATUSES))


def _admitted(event: Event) -> ColumnElement[bool]:
    """The registrations the door lists: confirmed ones, and pending delegations with an approved delegate."""
    approved_delegate = exists().where(Delegate.registration_id == Registration.id, Delegate.status == DelegateStatus.APPROVED)
    return and_(
        Registration.event_id == event.id,
        or_(
            Registration.status == RegistrationStatus.CONFIRMED,
            and_(Registration.status == RegistrationStatus.PENDING, approved_delegate),
        ),
    )


def door_list(event: Event, lang: str, search: str = "", limit: int = 50) -> list[Registration]:
    """Confirmed registrations matching a name, reference, organisation or delegate's name, by name in `lang`.

    The search folds accents, case and width like services/search ("doan" finds
    "Đoàn"); emails are not searched, since the door may not see them. The whole
    matching set is sorted in Python by the name the door shows (a delegation's
    organisation, else the person) with ICU's order for `lang`, reading only ids and
    names; the first `limit` are then loaded with their delegates. Sorting before the
    limit is what puts "Ánh" and "Đặng" before "Zhang Wei" whoever registered first.
    """
    conditions: list[ColumnElement[bool]] = [_admitted(event)]
    if words := search_words(search):
        delegate_match = exists().where(
            Delegate.registration_id == Registration.id,
            Delegate.status == DelegateStatus.APPROVED,
            all_words_in(words, Delegate.search_text),
        )
        conditions.append(or_(all_words_in(words, Registration.search_text), delegate_match))
    rows = db.session.execute(
        select(Registration.id, Registration.kind, Registration.full_name, Registration.organization).where(*conditions)
    ).all()
    key = sort_key(lang)
    rows = sorted(rows, key=lambda row: (key(listed_name(row.kind, row.full_name, row.organization)), key(row.full_name), row.id))
    return load_in_order([row.id for row in rows[:limit]])


@dataclass(frozen=True)
class SignInSheet:
    individuals: list[Registration]
    delegations: list[Registration]


def sign_in_sheet(event: Event, lang: str) -> SignInSheet:
    """Confirmed attendees for the printed sheet, in `lang`'s alphabetical order.

    Individuals by name; then each delegation by organisation, its delegates in the
    order the delegation gave them (the head of a delegation usually comes first).
    """
    admitted = select(Registration).where(_admitted(event)).options(selectinload(Registration.delegates))
    confirmed = db.session.scalars(admitted).all()
    key = sort_key(lang)
    individuals = sorted((r for r in confirmed if not r.is_delegation), key=lambda r: (key(r.full_name), r.id))
    delegations = sorted(
        (r for r in confirmed if r.is_delegation),
        key=lambda r: (key(listed_name(r.kind, r.full_name, r.organization)), key(r.full_name), r.id),
    )
    return SignInSheet(individuals=individuals, delegations=delegations)
