"""Rendering an outbox email when it is sent.

The outbox row holds what the email says: its template and the words fixed
when it was queued (the notice, an organizer's message, a broadcast's text).
Here the sender adds the registration as it now is, a manage link issued for
this delivery, the calendar file and a QR ticket per attendee, and renders
the text and HTML parts in the row's language. Neither the clear link nor a ticket code is
ever written to the database, so a dump of it opens no registrant's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from ..database import write_transaction
from ..extensions import db
from ..links import base_host, external_url
from ..models import Delegate, Event, Invitation, OutboxMessage, Registration
from .answers import shared_answers
from .calendar import CalendarStamp, delegate_calendar, registration_calendar
from .delegate_mail import DelegateNotice, delegate_intro, same_address
from .notifications import Notice, intro
from .outbox import Attachment
from .tickets import delegate_ticket, tickets
from .tokens import issue_delegate_token, issue_manage_token

# Emails to organizers: rendered from their stored context alone, with no registrant's link.
STAFF_TEMPLATES = frozenset({"approval_request", "substitution_notice"})


def _render_for_staff(row: OutboxMessage) -> RenderedEmail:
    with force_locale(row.language):
        text = render_template(f"emails/{row.template}.txt", **row.context)
        html = render_template(f"emails/{row.template}.html", **row.context)
    return RenderedEmail(text=text, html=html, attachments=[], manage_token=None)


class RegistrationGone(Exception):
    """The registration the email is about no longer exists: there is nothing to render."""


class EmailSuperseded(Exception):
    """An email overtaken before it left: a delegate's address changed or their ticket stopped working, an invitation closed."""


@dataclass(frozen=True)
class RenderedEmail:
    text: str
    html: str
    attachments: list[Attachment]  # made now, in addition to the row's stored ones
    manage_token: str | None  # to revoke if the delivery fails (None: an email to staff carries none)
    about: Event | None = None  # the event whose organizers a reply reaches, for an email with no registration


def render(row: OutboxMessage) -> RenderedEmail:
    """Issue a manage token for this delivery (committed at once) and render `row` with it.

    The token is committed before the email leaves, so its link works the
    moment it arrives; the caller revokes it if the delivery fails. Raises
    RegistrationGone for an email whose registration was deleted.
    """
    registration = row.registration
    if row.template in STAFF_TEMPLATES:
        return _render_for_staff(row)
    if row.template == "invitation":
        return _render_invitation(row)
    if registration is None:
        raise RegistrationGone(row.id)
    if row.delegate_id is not None:
        return _render_for_delegate(row, registration)
    with write_transaction():
        token = issue_manage_token(registration)
    event = registration.event
    context = {
        **row.context,
        "registration": registration,
        "event": event,
        "content": event.content(row.language),
        "venue": event.venue_in(row.language),
        "manage_url": external_url("registrant.registration_manage", lang=registration.language, token=token),
        "event_url": external_url("public.event_detail", lang=registration.language, slug=event.slug),
    }
    attachments = _calendar_attachments(row, registration)
    with force_locale(row.language):
        if row.template == "registration":
            notice, about = Notice(row.context["notice"]), row.context.get("delegates", [])
            context["intro"] = intro(notice, registration, context["content"].title, about)
            context["answers"] = shared_answers(registration, row.language, in_email=True)  # never a sensitive one
            context["tickets"] = []
            for number, ticket in enumerate(tickets(registration), start=1):
                content_id = f"ticket-{number}.{registration.reference}@{base_host().split(':')[0]}"
                filename = f"ticket-{registration.reference}-{number}.png"
                attachments.append(Attachment(filename, "image/png", ticket.png(), content_id))
                context["tickets"].append((ticket.holder, content_id))
        text = render_template(f"emails/{row.template}.txt", **context)
        html = render_template(f"emails/{row.template}.html", **context)
    return RenderedEmail(text=text, html=html, attachments=attachments, manage_token=token)


def _render_invitation(row: OutboxMessage) -> RenderedEmail:
    """An invitation (or its reminder) as it stands now: seats left, deadline, its link and code."""
    invitation = db.session.get(Invitation, row.context["invitation_id"])
    if invitation is None:
        raise RegistrationGone(row.id)  # its event was deleted
    if not invitation.is_open:
        raise EmailSuperseded(row.id)  # revoked or expired before it left: nothing to invite to
    event = invitation.event
    context = {
        "invitation": invitation,
        "reminder": row.context.get("reminder", False),
        "event": event,
        "content": event.content(row.language),
        "venue": event.venue_in(row.language),
        "invitation_url": external_url("public.invitation", lang=row.language, invitation_code=invitation.code),
        "event_url": external_url("public.event_detail", lang=row.language, slug=event.slug),
    }
    with force_locale(row.language):
        text = render_template("emails/invitation.txt", **context)
        html = render_template("emails/invitation.html", **context)
    return RenderedEmail(text=text, html=html, attachments=[], manage_token=None, about=event)


def _render_for_delegate(row: OutboxMessage, registration: Registration) -> RenderedEmail:
    """A delegate's own email: their ticket (while it lets them in) and their personal link, or word that it stopped."""
    delegate = db.session.get(Delegate, row.delegate_id)
    if delegate is None or delegate.registration_id != registration.id:
        raise RegistrationGone(row.id)
    notice = DelegateNotice(row.context["notice"])
    if notice.carries_ticket and not (delegate.may_enter and same_address(row.recipient, delegate.email)):
        raise EmailSuperseded(row.id)  # a ticket or a link must not go to an address it is no longer for
    token, attachments, ticket_id = None, [], None
    if notice.carries_ticket:
        with write_transaction():
            token = issue_delegate_token(delegate)
        ticket = delegate_ticket(delegate)
        if ticket is not None:
            ticket_id = f"ticket.{registration.reference}@{base_host().split(':')[0]}"
            attachments.append(Attachment(f"ticket-{registration.reference}.png", "image/png", ticket.png(), ticket_id))
    stamp = CalendarStamp(**row.context["calendar"])
    attachments.append(Attachment(f"{registration.reference}.ics", stamp.content_type, delegate_calendar(delegate, stamp)))
    event = registration.event
    content = event.content(row.language)
    context = {
        "notice": notice.value,
        "delegate": delegate,
        "registration": registration,
        "event": event,
        "content": content,
        "venue": event.venue_in(row.language),
        "ticket_id": ticket_id,
        "delegate_url": token and external_url("delegate.delegate_page", lang=row.language, token=token),
        "event_url": external_url("public.event_detail", lang=row.language, slug=event.slug),
    }
    with force_locale(row.language):
        context["intro"] = delegate_intro(notice, delegate, event.title_in(row.language))
        text = render_template("emails/delegate.txt", **context)
        html = render_template("emails/delegate.html", **context)
    return RenderedEmail(text=text, html=html, attachments=attachments, manage_token=token)


def _calendar_attachments(row: OutboxMessage, registration: Registration) -> list[Attachment]:
    """The registrant's calendar file as of when `row` was queued, if its notice carries one.

    Rows queued before calendars were built at send time have no stamp: they
    carry the file as a stored attachment.
    """
    fields = row.context.get("calendar")
    if fields is None:
        return []
    stamp = CalendarStamp(**fields)
    return [Attachment(f"{registration.reference}.ics", stamp.content_type, registration_calendar(registration, stamp))]
