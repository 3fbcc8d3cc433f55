"""The audit log: who did what, when, and from where."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(frozen=True)
class RegistrationRef:
    """A registration named by its ids, for a service that should not reload the row to log it."""

    id: int
    event_id: int


def record(
    actor: Actor,
    action: str,
    *,
    event: Event | None = None,
    registration: Registration | RegistrationRef | None = None,
    **details,
) -> None:
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


@transactional
def record_by_command(action: str, *, event: Event | None = None, **details) -> None:
    """Record an action taken from the command line (an export with sensitive answers): no account, no address."""
    db.session.add(
        AuditEntry(
            user_id=None,
            user_email="",
            ip_address="command line",
            action=action,
            event=event,
            details={key: value for key, value in details.items() if value not in (None, "")},
        )  # fmt: skip
    )


# Never written to the log, even when an edit changes them.
SECRET_FIELDS = frozenset({"password", "password_hash", "totp_secret", "recovery_codes", "manage_token", "token"})
_LONGEST = 120  # characters of a value kept in the log; a description is named, not copied


def _text(value: object) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(str(item) for item in value))
    text = "" if value is None else str(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[str]]:
    """What an edit changed, field by field, as [old, new] text; secret fields are left out."""
    return {
        key: [_text(before.get(key)), _text(after.get(key))]
        for key in sorted(set(before) | set(after))
        if key not in SECRET_FIELDS and before.get(key) != after.get(key)
    }
