"""Telling organizers that delegations await their approval (at once, or in one daily digest per event), and of substitutions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult

from ..database import transactional
from ..extensions import db
from ..links import external_url
from ..models import (
    Delegate,
    DelegateStatus,
    Event,
    EventStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    User,
    UserRole,
    utcnow,
)
from .outbox import queue_email

_DECIDERS = (UserRole.ADMIN, UserRole.ORGANIZER)


def organizers_of(event: Event) -> list[User]:
    """Active organizers assigned to `event`; the administrators when nobody is."""
    assigned = [user for user in event_organizers(event.id) if user.active and user.role in _DECIDERS]
    if assigned:
        return assigned
    return list(db.session.scalars(select(User).where(User.role == UserRole.ADMIN, User.active.is_(True)).order_by(User.id)))


def event_organizers(event_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.events.any(Event.id == event_id)).order_by(User.id)))


def tell_organizers(registration: Registration) -> None:
    """Queue one email per organizer, in their back-office language, unless the event sends a daily digest.

    Adds rows to the current transaction.
    """
    event = registration.event
    if not event.approval_digest:
        _email_organizers(event, [registration], digest=False)


def _email_organizers(event: Event, delegations: list[Registration], digest: bool) -> None:
    for user in organizers_of(event):
        title = event.title_in(user.language)
        subject = (
            _l("Delegations awaiting your approval: %(title)s", title=title)
            if digest
            else _l("A delegation awaits your approval: %(title)s", title=title)
        )
        queue_email(
            kind="approval_digest" if digest else "approval_request",
            recipient=user.email,
            language=user.language,
            subject=subject,
            template="approval_request",
            context=_context(event, title, delegations),
        )


def _context(event: Event, title: str, delegations: Sequence[Registration]) -> dict:
    """What the email says, as JSON values (it is rendered when sent, in the organizer's language)."""
    return {
        "title": title,
        "delegations": [
            {"organization": r.organization, "country": r.country, "seats": r.seats, "reference": r.reference}
            for r in delegations
        ],
        "list_url": external_url("manage.registration_list", slug=event.slug, status="pending"),
    }


def tell_organizers_of_substitution(registration: Registration, substitute: Delegate) -> None:
    """Queue one email per organizer saying that a delegation replaced a delegate (and whether the substitute awaits approval).

    The stored words name the delegation, not the people: the organizer opens the
    registration's page, whose history says who replaced whom. Adds rows to the current transaction.
    """
    event = registration.event
    for user in organizers_of(event):
        title = event.title_in(user.language)
        queue_email(
            kind="substitution_notice",
            recipient=user.email,
            language=user.language,
            subject=_l("A delegation replaced a delegate: %(title)s", title=title),
            template="substitution_notice",
            context={
                "title": title,
                "organization": registration.organization,
                "reference": registration.reference,
                "needs_approval": substitute.status == DelegateStatus.PENDING,
                "registration_url": external_url("manage.registration_detail", slug=event.slug, reference=registration.reference),
            },
        )


def send_approval_digests(now: datetime | None = None) -> int:
    """For every event with a daily digest: one email per organizer listing the delegations awaiting approval.

    Only events with something new since their last digest are sent; the
    mark is set in the same transaction, so two machines send each digest
    once. Returns how many digests were queued.
    """
    now = now or utcnow()
    event_ids = db.session.scalars(
        select(Event.id).where(Event.approval_digest.is_(True), Event.status == EventStatus.PUBLISHED, Event.ends_at > now)
    ).all()
    db.session.rollback()
    return sum(_send_digest(event_id, now) for event_id in event_ids)


@transactional
def _send_digest(event_id: int, now: datetime) -> int:
    event = db.session.get(Event, event_id, populate_existing=True)
    if event is None:
        return 0  # deleted since the list of events was read
    last = event.approval_digest_sent_at
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.kind == RegistrationKind.DELEGATION,
            Registration.status == RegistrationStatus.PENDING,
            Registration.address_confirmed_at.is_not(None),
        )
        .order_by(Registration.created_at, Registration.id)
    ).all()
    if not waiting or (last is not None and all(r.updated_at <= last for r in waiting)):
        return 0
    claimed = db.session.execute(
        update(Event)
        .where(Event.id == event.id, or_(Event.approval_digest_sent_at.is_(None), Event.approval_digest_sent_at == last))
        .values(approval_digest_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, claimed).rowcount != 1:  # DML gives a CursorResult; Session.execute is typed as returning Result
        return 0  # another machine sent it a moment ago
    _email_organizers(event, list(waiting), digest=True)
    return 1
