"""Queueing email in the transactional outbox.

`queue_email` fixes the subject in the recipient's language and adds an
outbox row to the current transaction without committing: the email exists
if and only if the change that caused it is committed. The body is rendered
when the email is sent (services/emails.py), so the manage link and tickets
it carries never rest in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from flask import current_app
from flask_babel import LazyString, force_locale, gettext

from ..extensions import db
from ..links import base_host
from ..models import Event, OutboxAttachment, OutboxMessage, Registration
from ..text import header_safe


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str | None = None  # for images shown inside the HTML part


def queue_email(
    *,
    kind: str,
    recipient: str,
    language: str,
    subject: str | LazyString,
    template: str,
    context: dict,
    attachments: Sequence[Attachment] = (),
    registration: Registration | None = None,
    delegate_id: int | None = None,
) -> OutboxMessage:
    """Queue `emails/<template>.txt` and `.html` for `recipient`, to be rendered in `language` when sent.

    `subject` is a lazy_gettext string (its placeholders already bound), so
    it is translated here in the recipient's language, or text an organizer
    wrote in that language. `context` holds JSON values only (the notice, an
    organizer's message); the sender adds the registration, its event and a
    fresh manage link (services/emails.py). `attachments` are stored as
    given, so they must hold no secret. `delegate_id`: the delegate of
    `registration` this email is for (their own ticket), if any.
    """
    message = OutboxMessage(
        **outbox_values(kind=kind, recipient=recipient, language=language, subject=subject, template=template, context=context),
        registration=registration,
        delegate_id=delegate_id,
        attachments=[
            OutboxAttachment(
                filename=item.filename, content_type=item.content_type, content=item.content, content_id=item.content_id
            )
            for item in attachments
        ],
    )
    db.session.add(message)
    return message


def outbox_values(*, kind: str, recipient: str, language: str, subject: str | LazyString, template: str, context: dict) -> dict:
    """The columns of a queued `OutboxMessage` (see `queue_email`), for a service that inserts the row itself."""
    with force_locale(language):
        subject_text = str(subject)
    return {
        "kind": kind,
        "recipient": header_safe(recipient),
        "language": language,
        "subject": header_safe(subject_text)[:300],
        "template": template,
        "context": context,
        "message_id": make_msgid(domain=base_host().split(":")[0]),
    }


def sender(language: str) -> tuple[str, str]:
    """The From of an email in `language`: (display name, address).

    The address is MAIL_DEFAULT_SENDER's. The name is MAIL_SENDER_NAMES[language]
    when configured, else the site's name translated ("Giao lưu văn hóa Cần Thơ").
    """
    _, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    configured = current_app.config.get("MAIL_SENDER_NAMES") or {}
    if language in configured:
        return header_safe(configured[language]), address
    with force_locale(language):
        return header_safe(gettext("Cần Thơ Cultural Exchange")), address


def reply_to(event: Event | None) -> tuple[str, str] | None:
    """Where replies to an email about `event` go: its organizer contact, else MAIL_REPLY_TO, else nowhere (None)."""
    if event is not None and event.contact_email:
        return header_safe(event.contact_name), header_safe(event.contact_email)
    default = current_app.config.get("MAIL_REPLY_TO")
    if not default:
        return None
    name, address = parseaddr(default)
    return (name, address) if address else None
