"""Telling registrants what happened: the one function every state change calls."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..links import external_url
from ..models import Registration
from .outbox import queue_email
from .tokens import issue_manage_token


class Notice(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    LINK = "link"  # someone tried to register this address again: here is the existing registration


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
        case Notice.CANCELLED:
            return _l("Registration cancelled: %(title)s", title=title)
        case Notice.LINK:
            return _l("Your registration for %(title)s", title=title)


def notify(registration: Registration, notice: Notice) -> None:
    """Queue the email for `notice` in the registrant's language, with a fresh manage link.

    Adds rows to the current transaction; the caller commits.
    """
    token = issue_manage_token(registration)
    event = registration.event
    content = event.content(registration.language)
    lang = registration.language
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
            "manage_url": external_url("registrant.registration_manage", lang=lang, token=token),
            "event_url": external_url("public.event_detail", lang=lang, slug=event.slug),
        },
        registration=registration,
    )
