"""Emailing every confirmed attendee of an event, each in their own language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..database import transactional
from ..errors import ExchangeError
from ..extensions import db
from ..models import Event, OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from .audit import Actor, record
from .outbox import queue_email


class BroadcastRefused(ExchangeError):
    pass


@transactional
def broadcast(actor: Actor, event_id: int, texts: dict[str, tuple[str, str]], fallback: str) -> int:
    """Queue one email per confirmed registration, in its language, else in `fallback`.

    `texts` maps languages to (subject, body); `fallback` must be one of
    them. Returns how many emails were queued.
    """
    texts = {lang: (subject.strip(), body.strip()) for lang, (subject, body) in texts.items() if subject.strip() and body.strip()}
    if fallback not in texts:
        raise BroadcastRefused(_l("Write the message at least in the fallback language."))
    event = db.session.get(Event, event_id)
    if event is None:
        raise BroadcastRefused(_l("This event no longer exists."))
    registrations = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.anonymised_at.is_(None),  # erased: nobody to write to, and no new link
        )
    ).all()
    for registration in registrations:
        lang = registration.language if registration.language in texts else fallback
        subject, body = texts[lang]
        queue_email(
            kind="broadcast",
            recipient=registration.email,
            language=lang,
            subject=subject,
            template="broadcast",
            context={"body": body},
            registration=registration,
        )
    record(actor, "event.broadcast", event=event, recipients=len(registrations), languages=sorted(texts))
    return len(registrations)


def failed_broadcasts(event: Event) -> list[OutboxMessage]:
    """Broadcast emails to this event's attendees that could not be delivered."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .join(Registration, OutboxMessage.registration_id == Registration.id)
            .where(
                Registration.event_id == event.id, OutboxMessage.kind == "broadcast", OutboxMessage.status == OutboxStatus.FAILED
            )
            .order_by(OutboxMessage.id)
        )
    )
