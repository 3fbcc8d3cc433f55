"""Invitations: seats an organizer reserves for one consulate or partner until a deadline."""

from __future__ import annotations

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .event import Event, db_enum
from .types import UTCDateTime, utcnow


class InvitationStatus(enum.StrEnum):
    ACTIVE = "active"  # its unused seats are held for the invitee
    EXPIRED = "expired"  # the deadline passed: unused seats went back to the public
    REVOKED = "revoked"  # an organizer withdrew it: the same

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_STATUS_TITLES[self])


_STATUS_TITLES = {
    InvitationStatus.ACTIVE: lazy_pgettext("invitation status", "Open"),
    InvitationStatus.EXPIRED: _l("Expired"),
    InvitationStatus.REVOKED: _l("Revoked"),
}


class Invitation(Model):
    """Seats reserved for one partner: `seats` held in the event's counter from the start, `seats_used` drawn since.

    While active, the event's `seats_taken` counts its `seats_left`
    (nobody else can take them); a registration through it draws from them,
    and seats it gives up (a delegate declined or removed) go back to them
    until the deadline (services/seats.release_seats_held_by).
    """

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("seats_used >= 0 AND seats_used <= seats", name="seats_used_within"),
        # What `flask expire-invitations` and the reminders look for.
        Index("ix_invitation_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Typed from a letter or an email, and in the /<lang>/i/<code> address (services/invitations.new_code).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    organization: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    seats: Mapped[int]
    seats_used: Mapped[int] = mapped_column(default=0)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[InvitationStatus] = mapped_column(
        db_enum(InvitationStatus, "invitation_status"), default=InvitationStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When it was last emailed (limits resends) and when the reminder before the deadline was queued (once).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    event: Mapped[Event] = relationship()

    @property
    def seats_left(self) -> int:
        return self.seats - self.seats_used if self.status == InvitationStatus.ACTIVE else 0

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.ACTIVE and self.deadline > utcnow()

    @property
    def deadline_day(self) -> date:
        """The last day it runs, in the event's time zone (the day organizers chose)."""
        return self.deadline.astimezone(ZoneInfo(self.event.timezone)).date()

    @property
    def state(self) -> InvitationStatus:
        """What to call it now: expired from its deadline on, even before `flask expire-invitations` has run."""
        return InvitationStatus.EXPIRED if self.status == InvitationStatus.ACTIVE and not self.is_open else self.status
