"""The audit log: who did what, when, and from where."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..database import transactional
from ..extensions import db
from ..models import AuditEntry, Event, Registration, User


@dataclass(frozen=True)
class Actor:
    """The organizer acting and the address they act from (the views build it from the request)."""

    user: User
    ip_address: str = ""
    # Read once, when the request starts: a write transaction expires the account's row, and a
    # check-in should not reload it just to write who did it.
    email: str = field(init=False)
    user_id: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", self.user.email)
        object.__setattr__(self, "user_id", self.user.id)


def record(actor: Actor, action: str, *, event: Event | None = None, registration: Registration | None = None, **details) -> None:
    """Add an audit entry to the current transaction (the caller commits with its change)."""
    # An event may be new (no id before the flush); a registration's event is named by id, unloaded.
    about: dict[str, Event | int | None] = (
        {"event": event} if event is not None else {"event_id": registration.event_id if registration else None}
    )
    db.session.add(
        AuditEntry(
            user_id=actor.user_id,
            user_email=actor.email,
            ip_address=actor.ip_address[:45],
            action=action,
            **about,
            registration_id=registration.id if registration else None,
            details={key: value for key, value in details.items() if value not in (None, "")},
        )
    )


@transactional
def record_now(actor: Actor, action: str, *, event: Event | None = None, **details) -> None:
    """Record an action that changes nothing else (an export) in a transaction of its own."""
    record(actor, action, event=event, **details)
