"""Telling registrants what happened: the one function every state change calls."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..links import base_host, external_url
from ..models import Registration
from .calendar import registration_calendar
from .outbox import Attachment, queue_email
from .tickets import tickets
from .tokens import issue_manage_token


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


# No calendar file for people who have no place (yet, or any more, in the case of "declined").
_WITHOUT_CALENDAR = {Notice.WAITLISTED, Notice.DECLINED, Notice.LAPSED}  # EVENT_CANCELLED's file removes the entry


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


def notify(registration: Registration, notice: Notice, message: str = "") -> None:
    """Queue the email for `notice` in the registrant's language, with a fresh manage link.

    A calendar file goes with every notice of a place held or given up, and a
    QR ticket per attendee once the registration is confirmed. `message` is an
    organizer's note (approval, decline). Adds rows to the current
    transaction; the caller commits.
    """
    token = issue_manage_token(registration)
    event = registration.event
    lang = registration.language
    content = event.content(lang)
    attachments = []
    if notice not in _WITHOUT_CALENDAR:
        attachments.append(Attachment(f"{registration.reference}.ics", "text/calendar", registration_calendar(registration)))
    ticket_images = []
    for number, ticket in enumerate(tickets(registration), start=1):
        content_id = f"ticket-{number}.{registration.reference}@{base_host().split(':')[0]}"
        attachments.append(Attachment(f"ticket-{registration.reference}-{number}.png", "image/png", ticket.png(), content_id))
        ticket_images.append((ticket.holder, content_id))
    queue_email(
        kind=f"registration_{notice.value}",
        recipient=registration.email,
        language=lang,
        subject=_subject(notice, content.title),
        template="registration",
        context={
            "notice": notice.value,
            "registration": registration,
            "event": event,
            "content": content,
            "organizer_message": message,
            "tickets": ticket_images,
            "manage_url": external_url("registrant.registration_manage", lang=lang, token=token),
            "event_url": external_url("public.event_detail", lang=lang, slug=event.slug),
        },
        attachments=attachments,
        registration=registration,
    )
