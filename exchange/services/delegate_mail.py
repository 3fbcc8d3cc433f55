"""A delegate's own emails: their ticket when it starts to let them in, and word when it stops.

A delegate whose contact gave their address gets, in their own language,
their own confirmation with their QR ticket, a calendar file and a personal
link (the delegate's page: their ticket, and their own details to correct).
`sync_delegate_mail` runs after every change of a delegation (services/
notifications.notify calls it) and compares each delegate's standing with
the address their ticket was last mailed to (`Delegate.ticket_mailed_to`),
so a ticket goes out once per address and its withdrawal once, whichever
change caused it: an approval, a decline, a substitution, an edit, a
cancelled event.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from ..database import transactional
from ..errors import RegistrationLocked
from ..extensions import db
from ..models import Delegate, DelegateToken, EventStatus, OutboxMessage, OutboxStatus, Registration, Transition, utcnow
from ..models.registration import new_ticket_key
from . import transitions
from .outbox import queue_email


class DelegateNotice(enum.StrEnum):
    TICKET = "delegate_ticket"  # the delegate's ticket works now (approved, or a new address)
    WITHDRAWN = "delegate_withdrawn"  # it stopped working: declined, replaced, removed, the delegation or event ended
    REMINDER = "delegate_reminder"  # the event starts soon (with the ticket again)

    @property
    def carries_ticket(self) -> bool:
        return self is not DelegateNotice.WITHDRAWN


def _subject(notice: DelegateNotice, title: str):
    match notice:
        case DelegateNotice.TICKET:
            return _l("Your ticket: %(title)s", title=title)
        case DelegateNotice.REMINDER:
            return _l("Reminder: %(title)s starts soon", title=title)
        case DelegateNotice.WITHDRAWN:
            return _l("Your ticket no longer works: %(title)s", title=title)


def delegate_intro(notice: DelegateNotice, delegate: Delegate, title: str) -> str:
    """The opening sentence of a delegate's own email, in the current locale, as plain text (each part escapes it)."""
    registration = delegate.registration
    if notice is DelegateNotice.REMINDER:
        return gettext("%(title)s starts soon. Here are the details once more; we look forward to welcoming you.", title=title)
    if notice is DelegateNotice.TICKET:
        return gettext(
            "%(contact)s of %(organization)s has registered you as a delegate for %(title)s, and the organizers have "
            "confirmed your place.",
            contact=registration.full_name,
            organization=registration.organization,
            title=title,
        )
    if registration.event.status == EventStatus.CANCELLED:
        return gettext(
            "We are sorry to tell you that %(title)s has been cancelled, so your ticket no longer works. "
            "There is nothing you need to do.",
            title=title,
        )
    return gettext(
        "Your place in the delegation of %(organization)s for %(title)s has been withdrawn, so your ticket no longer "
        "works. If you have a question, please ask %(contact)s, who registered the delegation.",
        contact=registration.full_name,
        organization=registration.organization,
        title=title,
    )


def same_address(one: str, other: str) -> bool:
    return one.casefold() == other.casefold()


def sync_delegate_mail(registration: Registration) -> None:
    """Queue each delegate's own email whose ticket started or stopped letting them in since the last one.

    A ticket goes to a delegate's address once; when the address changes,
    the ticket is issued anew (a new QR code, their old links forgotten), so
    what went to a mistyped address stops working. When it stops working,
    their links go and a withdrawal is sent, unless no ticket ever left (then
    the queued one is simply withdrawn). Adds rows to the current
    transaction; the caller commits. Reads the delegates afresh (flushing the
    caller's changes first), so it sees the statuses just set.
    """
    if not registration.is_delegation or registration.anonymised_at is not None:
        return
    with_mail = select(Delegate).where(
        Delegate.registration_id == registration.id, or_(Delegate.email != "", Delegate.ticket_mailed_to != "")
    )
    for delegate in db.session.scalars(with_mail.order_by(Delegate.id)):  # the same order on every database
        if delegate.may_enter:
            if delegate.email and not same_address(delegate.ticket_mailed_to, delegate.email):
                if delegate.ticket_mailed_to and _withdraw_unsent(delegate):
                    _reissue(delegate)  # the old address had it: that ticket and link must stop working
                _queue(delegate, DelegateNotice.TICKET)
        elif delegate.ticket_mailed_to:
            if _withdraw_unsent(delegate):
                _forget_links(delegate)
                _queue(delegate, DelegateNotice.WITHDRAWN)
            else:
                delegate.ticket_mailed_to = ""


_CARRYING_TICKETS = [notice.value for notice in DelegateNotice if notice.carries_ticket]


def _withdraw_unsent(delegate: Delegate) -> bool:
    """Delete the delegate's ticket emails still waiting (not being sent now); whether any ticket may have left."""
    now = utcnow()
    waiting = (
        OutboxMessage.delegate_id == delegate.id,
        OutboxMessage.kind.in_(_CARRYING_TICKETS),
        OutboxMessage.status == OutboxStatus.QUEUED,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
    )
    db.session.execute(delete(OutboxMessage).where(*waiting).execution_options(synchronize_session=False))
    left = select(OutboxMessage.id).where(OutboxMessage.delegate_id == delegate.id, OutboxMessage.kind.in_(_CARRYING_TICKETS))
    return db.session.scalar(left.limit(1)) is not None


def _forget_links(delegate: Delegate) -> None:
    db.session.execute(delete(DelegateToken).where(DelegateToken.delegate_id == delegate.id))


def _reissue(delegate: Delegate) -> None:
    """A new ticket key and no personal link: the ticket and links sent so far open nothing any more."""
    delegate.ticket_key = new_ticket_key()
    _forget_links(delegate)


def _check_daily_allowance(delegate: Delegate) -> None:
    """At most DELEGATE_EMAILS_PER_DAY tickets to one delegate in 24 hours, however often the address changes."""
    allowance = current_app.config["DELEGATE_EMAILS_PER_DAY"]
    since = utcnow() - timedelta(days=1)
    sent = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.delegate_id == delegate.id,
            OutboxMessage.kind == DelegateNotice.TICKET.value,
            OutboxMessage.created_at > since,
        )
    )
    if sent >= allowance:
        raise RegistrationLocked(
            _l(
                "%(name)s has been sent their ticket %(num)s times today. To protect their inbox, no more can be sent "
                "today: nothing was changed.",
                name=delegate.full_name,
                num=sent,
            )
        )


def remind_delegates(registration: Registration) -> None:
    """Queue a reminder, with their ticket, for each delegate whose ticket was emailed to them and still works.

    The caller reminds the registration once (`reminders.queue_reminders` marks it), so each delegate once too.
    """
    if not registration.is_delegation or registration.anonymised_at is not None:
        return
    for delegate in registration.delegates:
        if delegate.may_enter and delegate.ticket_mailed_to:
            _queue(delegate, DelegateNotice.REMINDER)


def _queue(delegate: Delegate, notice: DelegateNotice) -> None:
    """Queue `notice` for the delegate: a new ticket to their address, the others where their ticket went."""
    if notice is DelegateNotice.TICKET:
        _check_daily_allowance(delegate)
    registration = delegate.registration
    language = delegate.email_language
    ticket = notice.carries_ticket
    queue_email(
        kind=notice.value,
        recipient=delegate.email if notice is DelegateNotice.TICKET else delegate.ticket_mailed_to,
        language=language,
        subject=_subject(notice, registration.event.title_in(language)),
        template="delegate",
        # The calendar entry is the delegate's own: added with the ticket, removed with it.
        context={
            "notice": notice.value,
            "calendar": {"method": "PUBLISH" if ticket else "CANCEL", "sequence": len(registration.changes)},
        },
        registration=registration,
        delegate_id=delegate.id,
    )
    if notice is DelegateNotice.TICKET:
        delegate.ticket_mailed_to = delegate.email
    elif notice is DelegateNotice.WITHDRAWN:
        delegate.ticket_mailed_to = ""


@transactional
def resend_delegate_ticket(registration_id: int, delegate_key: str) -> Delegate:
    """Email a delegate their ticket and personal link again, at the contact's request; once a minute at most.

    The registration's row is locked first, so two clicks at once send one
    email: the later one finds the first one's message. Raises
    RegistrationLocked (no such delegate on the list, no address, no ticket yet, emailed a moment ago).
    """
    registration = transitions.begin(registration_id, Transition.RESEND)
    delegate = next((d for d in registration.delegates if d.key == delegate_key), None) if registration.is_delegation else None
    if delegate is None or not delegate.email:
        raise RegistrationLocked(_l("This delegate has no email address on the list: nothing was sent."))
    if not delegate.may_enter:
        raise RegistrationLocked(
            _l("%(name)s has no ticket yet: it is emailed as soon as the organizers approve them.", name=delegate.full_name)
        )
    last = db.session.scalar(
        select(OutboxMessage.created_at)
        .where(OutboxMessage.delegate_id == delegate.id)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if last is not None and utcnow() - last < timedelta(seconds=current_app.config["RESEND_INTERVAL_SECONDS"]):
        raise RegistrationLocked(_l("%(name)s was emailed a moment ago.", name=delegate.full_name))
    _queue(delegate, DelegateNotice.TICKET)
    return delegate


def delegate_mail_states(registration: Registration) -> dict[int, OutboxStatus]:
    """Where the newest own email of each of the delegation's delegates stands (queued, sent, failed), by delegate id."""
    rows = db.session.execute(
        select(OutboxMessage.delegate_id, OutboxMessage.status)
        .where(OutboxMessage.registration_id == registration.id, OutboxMessage.delegate_id.is_not(None))
        .order_by(OutboxMessage.id)
    )
    return {delegate_id: status for delegate_id, status in rows if delegate_id is not None}
