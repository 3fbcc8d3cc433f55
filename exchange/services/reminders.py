"""Reminders before an event."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from ..database import write_transaction
from ..extensions import db
from ..models import Event, EventStatus, Registration, RegistrationStatus, utcnow
from .delegate_mail import remind_delegates
from .notifications import Notice, notify

REMINDER_WINDOW = timedelta(hours=48)


def queue_reminders(now: datetime | None = None) -> int:
    """Queue one reminder per confirmed registration of events starting within 48 hours.

    Delegations still awaiting approval and people on the waiting list get
    none: they have no place to be reminded of.

    Each registration is marked the moment its reminder is queued, in the
    same transaction, so running this again (or on two machines at once)
    never reminds anyone twice. Returns how many registrations were reminded.
    """
    now = now or utcnow()
    with write_transaction():
        return _queue(now)


def _queue(now: datetime) -> int:
    due = db.session.scalars(
        select(Registration)
        .join(Event)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_WINDOW,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminded_at.is_(None),
            Registration.anonymised_at.is_(None),
        )
        .order_by(Registration.id)
        .options(selectinload(Registration.changes), selectinload(Registration.event))
    ).all()
    queued = 0
    for registration in due:
        marked = db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult, marked).rowcount == 1:  # DML gives a CursorResult; Session.execute is typed as returning Result
            notify(registration, Notice.REMINDER)
            remind_delegates(registration)  # those with their own ticket get their own reminder
            queued += 1
    return queued
