"""Invitations: an organizer reserves seats for one consulate or partner until a deadline.

An invitation holds its seats in the event's counter from the moment it is
made (`seats.take_seats`), so no public registration can take them;
registering through it draws from them (`registrations._draw`), and more
only if seats are free; seats such a delegation gives up, or adds, go back
to or come from them first while the invitation is open
(`seats.release_seats_held_by`, `seats.take_seats_for`). When the deadline passes (`expire_invitations`,
from cron) or an organizer revokes it, the seats left unused go back to the
public and the waiting list. Each of those is a conditional UPDATE on the
invitation's row, so two machines running the cron job, or two organizers,
release them once. The invitee is emailed in their language with the link
`/<lang>/i/<code>` and the code to type, and reminded once before the
deadline while seats are unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult

from ..database import locking_enabled, transactional, write_transaction
from ..errors import ExchangeError, NotEnoughSeats, RegistrationLocked
from ..extensions import db
from ..i18n import LOCALES
from ..models import Event, Invitation, InvitationStatus, Registration, utcnow
from .audit import Actor, record, record_by_command
from .outbox import queue_email
from .registrations import notify_promoted
from .seats import fill_from_waitlist, release_seats, take_seats
from .tokens import new_invitation_code, normalize_invitation_code
from .transitions import lock_event


def invitation_for_code(code: str) -> Invitation | None:
    normalized = normalize_invitation_code(code)
    return db.session.scalar(select(Invitation).where(Invitation.code == normalized)) if normalized else None


def deadline_on(event: Event, day: date) -> datetime:
    """The last minute of `day` in the event's time zone (an invitation runs "until 15 May": all of that day)."""
    zone = ZoneInfo(event.timezone)
    return datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class InvitationDraft:
    organization: str
    email: str
    language: str
    seats: int
    deadline: datetime  # aware, UTC


def _check_deadline(event: Event, deadline: datetime) -> None:
    if deadline <= utcnow():
        raise ExchangeError(_l("The deadline must be in the future."))
    if deadline > event.registration_closes_at:
        raise ExchangeError(_l("The deadline must not be after registration closes."))


@transactional
def invite(actor: Actor | None, event_id: int, draft: InvitationDraft) -> Invitation:
    """Reserve `draft.seats` seats of the event for one partner and email them the invitation (`actor`: None from the CLI).

    Raises NotEnoughSeats (fewer seats left), ExchangeError (the event takes
    no delegations, a deadline in the past or after registration closes).
    """
    event = db.session.get(Event, event_id)
    if event is None or not event.allows_delegations:
        raise ExchangeError(_l("This event does not take delegations."))
    if draft.language not in LOCALES:
        raise ExchangeError(_l("Please choose one of the options in the list."))
    if not 1 <= draft.seats <= event.capacity:
        raise ExchangeError(_l("Reserve from 1 to %(max)s seats.", max=event.capacity))
    _check_deadline(event, draft.deadline)
    if not take_seats(event, draft.seats):
        raise NotEnoughSeats(
            _ln("Only %(num)s seat is left to reserve.", "Only %(num)s seats are left to reserve.", event.seats_left)
        )
    invitation = Invitation(
        event=event,
        code=_unused_code(),
        organization=draft.organization,
        email=draft.email,
        language=draft.language,
        seats=draft.seats,
        deadline=draft.deadline,
        sent_at=utcnow(),
        reminded_at=_reminder_needless(draft.deadline),
    )
    db.session.add(invitation)
    db.session.flush()
    _queue(invitation, reminder=False)
    if actor is None:
        record_by_command("invitation.created", event=event, code=invitation.code, seats=draft.seats)
    else:
        record(actor, "invitation.created", event=event, code=invitation.code, seats=draft.seats)
    return invitation


def _reminder_needless(deadline: datetime) -> datetime | None:
    """Now, for a deadline already within the reminder's window (the invitation just sent says it all); else None."""
    now = utcnow()
    return now if deadline - now <= timedelta(hours=current_app.config["INVITATION_REMINDER_HOURS"]) else None


def _unused_code() -> str:
    while True:
        code = new_invitation_code()
        if db.session.scalar(select(Invitation.id).where(Invitation.code == code)) is None:
            return code


def _subject(reminder: bool, title: str):
    if reminder:
        return _l("Reminder: your invitation to %(title)s", title=title)
    return _l("Invitation: %(title)s", title=title)


def _queue(invitation: Invitation, *, reminder: bool) -> None:
    queue_email(
        kind="invitation_reminder" if reminder else "invitation",
        recipient=invitation.email,
        language=invitation.language,
        subject=_subject(reminder, invitation.event.title_in(invitation.language)),
        template="invitation",
        context={"invitation_id": invitation.id, "reminder": reminder},
    )


def _locked(invitation_id: int) -> Invitation:
    """The invitation, its row locked by a no-op UPDATE (taken on SQLite and PostgreSQL alike); refused unless open."""
    result = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.status == InvitationStatus.ACTIVE)
        .values(seats_used=Invitation.seats_used)
        .execution_options(synchronize_session=False)
    )
    invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None or cast(CursorResult, result).rowcount != 1:
        raise RegistrationLocked(_l("This invitation is no longer open: nothing was changed."))
    return invitation


def _close(invitation_id: int, status: InvitationStatus, *, due_by: datetime | None = None) -> Invitation | None:
    """Close an active invitation (once, however many try at once) and give its unused seats to the public."""
    event_id = db.session.scalar(select(Invitation.event_id).where(Invitation.id == invitation_id))
    if event_id is None:
        return None
    lock_event(event_id)  # event, then invitation: the order every other path takes (services/transitions.py)
    conditions = [Invitation.id == invitation_id, Invitation.status == InvitationStatus.ACTIVE]
    if due_by is not None:
        conditions.append(Invitation.deadline <= due_by)
    if locking_enabled():
        left = db.session.execute(
            update(Invitation)
            .where(*conditions)
            .values(status=status)
            .returning(Invitation.seats - Invitation.seats_used)
            .execution_options(synchronize_session=False)
        ).scalar()
    else:  # read, decide, write: the race that LOCKING=False exists to demonstrate
        left = db.session.scalar(select(Invitation.seats - Invitation.seats_used).where(*conditions))
        if left is not None:
            db.session.execute(update(Invitation).where(Invitation.id == invitation_id).values(status=status))
    if left is None:
        return None
    invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
    assert invitation is not None
    if left > 0:
        release_seats(invitation.event, left)
        for promoted in fill_from_waitlist(invitation.event):
            notify_promoted(promoted)
    return invitation


@transactional
def revoke(actor: Actor, invitation_id: int) -> Invitation:
    """Withdraw an invitation: its unused seats go to the public; registrations made through it stay."""
    invitation = _close(invitation_id, InvitationStatus.REVOKED)
    if invitation is None:
        raise RegistrationLocked(_l("This invitation is no longer open: nothing was changed."))
    record(actor, "invitation.revoked", event=invitation.event, code=invitation.code)
    return invitation


@transactional
def extend(actor: Actor, invitation_id: int, deadline: datetime) -> Invitation:
    """Move an open invitation's deadline (later or earlier, never past registration close); a new reminder is due."""
    invitation = _locked(invitation_id)
    _check_deadline(invitation.event, deadline)
    invitation.deadline, invitation.reminded_at = deadline, _reminder_needless(deadline)
    record(actor, "invitation.extended", event=invitation.event, code=invitation.code, deadline=deadline.isoformat())
    return invitation


@transactional
def resend(actor: Actor, invitation_id: int) -> Invitation:
    """Email an open invitation again; once a minute at most (the row is locked, so two clicks send one)."""
    invitation = _locked(invitation_id)
    now = utcnow()
    interval = timedelta(seconds=current_app.config["RESEND_INTERVAL_SECONDS"])
    if invitation.sent_at is not None and now - invitation.sent_at < interval:
        raise RegistrationLocked(_l("This invitation was emailed a moment ago."))
    invitation.sent_at = now
    _queue(invitation, reminder=False)
    record(actor, "invitation.resent", event=invitation.event, code=invitation.code)
    return invitation


@dataclass(frozen=True)
class InvitationRound:
    expired: int
    reminded: int


def expire_invitations(now: datetime | None = None) -> InvitationRound:
    """Close invitations past their deadline (unused seats to the public) and remind those whose deadline nears.

    For cron, on several machines at once: each invitation is closed and
    reminded by a conditional UPDATE in its own transaction, so once.
    """
    now = now or utcnow()
    due = list(
        db.session.scalars(select(Invitation.id).where(Invitation.status == InvitationStatus.ACTIVE, Invitation.deadline <= now))
    )
    db.session.rollback()
    expired = 0
    for invitation_id in due:
        with write_transaction():
            expired += _close(invitation_id, InvitationStatus.EXPIRED, due_by=now) is not None
    soon = now + timedelta(hours=current_app.config["INVITATION_REMINDER_HOURS"])
    to_remind = list(
        db.session.scalars(
            select(Invitation.id).where(
                Invitation.status == InvitationStatus.ACTIVE,
                Invitation.deadline > now,
                Invitation.deadline <= soon,
                Invitation.reminded_at.is_(None),
                Invitation.seats_used < Invitation.seats,
            )
        )
    )
    db.session.rollback()
    reminded = 0
    for invitation_id in to_remind:
        with write_transaction():
            marked = db.session.execute(
                update(Invitation)
                .where(Invitation.id == invitation_id, Invitation.reminded_at.is_(None))
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            )
            if cast(CursorResult, marked).rowcount == 1:
                invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
                assert invitation is not None
                _queue(invitation, reminder=True)
                reminded += 1
    return InvitationRound(expired=expired, reminded=reminded)


@dataclass(frozen=True)
class Uptake:
    invitation: Invitation
    registrations: int  # registered through it, cancelled ones included
    delegates: int  # seats those registrations hold now


def event_invitations(event: Event) -> list[Uptake]:
    """The event's invitations, newest first, with what was registered through each (two queries)."""
    invitations = list(
        db.session.scalars(select(Invitation).where(Invitation.event_id == event.id).order_by(Invitation.id.desc()))
    )
    counts = {
        row.invitation_id: (row.registrations, row.held or 0)
        for row in db.session.execute(
            select(
                Registration.invitation_id,
                func.count().label("registrations"),
                func.sum(Registration.seats).filter(Registration.status.in_(["confirmed", "pending"])).label("held"),
            )
            .where(Registration.event_id == event.id, Registration.invitation_id.is_not(None))
            .group_by(Registration.invitation_id)
        )
    }
    return [Uptake(invitation, *counts.get(invitation.id, (0, 0))) for invitation in invitations]
