"""Telling registrants what happened: the one function every state change calls."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from ..models import Registration, RegistrationStatus
from .calendar import CalendarStamp
from .delegate_mail import sync_delegate_mail
from .outbox import queue_email


class Notice(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    PROMOTED = "promoted"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EVENT_CANCELLED = "event_cancelled"
    REMINDER = "reminder"
    LAPSED = "lapsed"  # a delegation's address was not confirmed in time: its seats were released
    LINK = "link"  # someone tried to register this address again: here is the existing registration
    DELEGATES_APPROVED = "delegates_approved"  # some delegates approved; others still await a decision
    DELEGATES_DECLINED = "delegates_declined"  # some delegates declined; the rest of the delegation stands
    SUBSTITUTED = "substituted"  # the contact replaced a delegate by someone else


# No calendar file for people who have no place (yet, or any more, in the case of "declined"), nor for a
# delegation told that some of its delegates were declined or replaced (its entry stands).
# EVENT_CANCELLED's file removes the entry.
_WITHOUT_CALENDAR = {Notice.WAITLISTED, Notice.DECLINED, Notice.LAPSED, Notice.DELEGATES_DECLINED, Notice.SUBSTITUTED}


def _subject(notice: Notice, title: str):
    # Literal message ids, so extraction finds them; translated later in the recipient's locale.
    match notice:
        case Notice.CONFIRMED:
            return _l("Registration confirmed: %(title)s", title=title)
        case Notice.WAITLISTED:
            return _l("You are on the waiting list: %(title)s", title=title)
        case Notice.PENDING:
            return _l("Delegation received, awaiting approval: %(title)s", title=title)
        case Notice.PROMOTED:
            return _l("Off the waiting list: %(title)s", title=title)
        case Notice.APPROVED:
            return _l("Delegation approved: %(title)s", title=title)
        case Notice.DECLINED:
            return _l("Delegation not accepted: %(title)s", title=title)
        case Notice.CANCELLED:
            return _l("Registration cancelled: %(title)s", title=title)
        case Notice.EVENT_CANCELLED:
            return _l("Event cancelled: %(title)s", title=title)
        case Notice.REMINDER:
            return _l("Reminder: %(title)s starts soon", title=title)
        case Notice.LAPSED:
            return _l("Delegation registration lapsed: %(title)s", title=title)
        case Notice.LINK:
            return _l("Your registration for %(title)s", title=title)
        case Notice.DELEGATES_APPROVED:
            return _l("Delegates approved: %(title)s", title=title)
        case Notice.DELEGATES_DECLINED:
            return _l("Delegates not accepted: %(title)s", title=title)
        case Notice.SUBSTITUTED:
            return _l("Delegate replaced: %(title)s", title=title)


def intro(notice: Notice, registration: Registration, title: str, delegate_ids: Sequence[int] = ()) -> str:
    """The opening sentences of the email for `notice`, in the current locale, as plain text.

    Plain text, so each part escapes it its own way: the HTML template
    autoescapes it, the text template shows it as typed. A delegation that
    must still confirm its address is told how, and by when. `delegate_ids`:
    the delegates a per-delegate decision was about, named in the text.
    """
    by_id = {delegate.id: delegate.full_name for delegate in registration.all_delegates} if delegate_ids else {}
    text = _intro(notice, registration, title, [by_id[number] for number in delegate_ids if number in by_id])
    if notice in (Notice.PENDING, Notice.PROMOTED) and registration.awaits_address_confirmation:
        hours = current_app.config["DELEGATION_CONFIRM_HOURS"]
        text += " " + ngettext(
            "Please confirm this email address within %(num)s hour: open the link below and press “Confirm”. "
            "Otherwise the seats are released.",
            "Please confirm this email address within %(num)s hours: open the link below and press “Confirm”. "
            "Otherwise the seats are released.",
            hours,
        )
    return text


def _substitution_intro(registration: Registration, title: str, replaced: str = "", substitute: str = "") -> str:
    if registration.status == RegistrationStatus.PENDING:
        return gettext(
            "%(new)s now replaces %(old)s in your delegation for %(title)s. The organizers will review the change and "
            "email you their decision; %(old)s's ticket no longer works.",
            new=substitute,
            old=replaced,
            title=title,
        )
    return gettext(
        "%(new)s now replaces %(old)s in your delegation for %(title)s. %(old)s's ticket no longer works; the new "
        "tickets are attached as QR codes.",
        new=substitute,
        old=replaced,
        title=title,
    )


def _intro(notice: Notice, registration: Registration, title: str, names: list[str]) -> str:
    match notice:
        case Notice.CONFIRMED:
            return gettext("Your registration for %(title)s is confirmed.", title=title)
        case Notice.WAITLISTED:
            return gettext(
                "The event is fully booked, so you are on the waiting list. We will email you as soon as a place is free for you."
            )
        case Notice.PENDING:
            return ngettext(
                "We have received your delegation's registration for %(title)s. The organizers will review it and "
                "email you their decision. Meanwhile the seat for your %(count)s delegate is held.",
                "We have received your delegation's registration for %(title)s. The organizers will review it and "
                "email you their decision. Meanwhile the seats for your %(count)s delegates are held.",
                registration.seats,
                title=title,
                count=registration.seats,
            )
        case Notice.PROMOTED if registration.is_delegation:
            return gettext("Seats have become free for your delegation. It now awaits the organizers' approval.")
        case Notice.PROMOTED:
            return gettext("A place has become free and it is yours: your registration is now confirmed.")
        case Notice.APPROVED:
            return gettext(
                "The organizers have approved your delegation for %(title)s. "
                "Each delegate's ticket is attached as a QR code to show at the entrance.",
                title=title,
            )
        case Notice.DECLINED:
            return gettext(
                "We are sorry: the organizers could not accept your delegation for %(title)s. Its seats have been released.",
                title=title,
            )
        case Notice.EVENT_CANCELLED:
            return gettext(
                "We are sorry to tell you that %(title)s has been cancelled. "
                "Your registration is cancelled with it; there is nothing you need to do.",
                title=title,
            )
        case Notice.REMINDER:
            return gettext(
                "%(title)s starts soon. Here are the details once more; we look forward to welcoming you.", title=title
            )
        case Notice.CANCELLED:
            return gettext(
                "Your registration has been cancelled. If this was a mistake, you can register again while registration is open."
            )
        case Notice.LAPSED:
            return gettext(
                "Your delegation's registration for %(title)s has lapsed, because this email address was not confirmed "
                "in time, and its seats have been released. You are welcome to register again while registration is open.",
                title=title,
            )
        case Notice.LINK:
            return gettext(
                "Someone, perhaps you, tried to register this email address again for %(title)s. You are already "
                "registered and nothing was changed. Use the link below to see or change your registration.",
                title=title,
            )
        case Notice.DELEGATES_APPROVED:
            return gettext(
                "The organizers have approved these delegates for %(title)s: %(names)s. Their tickets are attached as QR "
                "codes to show at the entrance. The other delegates still await the organizers' decision.",
                title=title,
                names=", ".join(names),
            )
        case Notice.DELEGATES_DECLINED:
            return gettext(
                "We are sorry: the organizers could not accept these delegates for %(title)s: %(names)s. Their seats have "
                "been released; the rest of your delegation is unchanged.",
                title=title,
                names=", ".join(names),
            )
        case Notice.SUBSTITUTED:
            return _substitution_intro(registration, title, *names[:2])


def notify(registration: Registration, notice: Notice, message: str = "", delegates: Sequence[int] = ()) -> None:
    """Queue the email for `notice` in the registrant's language.

    A calendar file goes with every notice of a place held or given up. The
    body, its fresh manage link, the calendar file (as of now: see
    CalendarStamp) and a QR ticket per attendee of a confirmed registration
    are made when the email is sent (services/emails.py), outside the
    transaction that queues it.
    `message` is an organizer's note (approval, decline); `delegates` the ids of
    the delegates a per-delegate decision was about. Adds rows to the
    current transaction; the caller commits. An erased registration has
    nobody to tell. Delegates with their own address get their own email
    where their ticket started or stopped working (services/delegate_mail.py).
    """
    if registration.anonymised_at is not None:
        return
    lang = registration.language
    stamp = None if notice in _WITHOUT_CALENDAR else CalendarStamp.of(registration)
    title = registration.event.title_in(lang)
    email = notice_email(notice, recipient=registration.email, language=lang, title=title, stamp=stamp, message=message)
    if delegates:
        email["context"]["delegates"] = list(delegates)
    queue_email(**email, registration=registration)
    sync_delegate_mail(registration)


def notice_email(
    notice: Notice, *, recipient: str, language: str, title: str, stamp: CalendarStamp | None, message: str = ""
) -> dict:
    """What `queue_email` needs for `notice`; the calendar file's method and version come from `stamp`, if any."""
    context: dict = {"notice": notice.value, "organizer_message": message}
    if stamp is not None:
        context["calendar"] = {"method": stamp.method, "sequence": stamp.sequence}
    return {
        "kind": f"registration_{notice.value}",
        "recipient": recipient,
        "language": language,
        "subject": _subject(notice, title),
        "template": "registration",
        "context": context,
    }
