"""The audit log: who did what, when, and from where."""

from __future__ import annotations

from dataclasses import dataclass

from ..database import transactional
from ..extensions import db
from ..models import AuditEntry, Event, Registration, User


@dataclass(frozen=True)
class Actor:
    """The organizer acting and the address they act from (the views build it from the request)."""

    user: User
    ip_address: str = ""


def record(actor: Actor, action: str, *, event: Event | None = None, registration: Registration | None = None, **details) -> None:
    """Add an audit entry to the current transaction (the caller commits with its change)."""
    db.session.add(
        AuditEntry(
            user=actor.user,
            user_email=actor.user.email,
            ip_address=actor.ip_address[:45],
            action=action,
            event=event or (registration.event if registration else None),
            registration_id=registration.id if registration else None,
            details={key: value for key, value in details.items() if value not in (None, "")},
        )
    )


@transactional
def record_now(actor: Actor, action: str, *, event: Event | None = None, **details) -> None:
    """Record an action that changes nothing else (an export) in a transaction of its own."""
    record(actor, action, event=event, **details)
