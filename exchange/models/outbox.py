"""The transactional outbox: one row per email, written with the change that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .event import db_enum
from .registration import Registration
from .types import UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str({OutboxStatus.QUEUED: _l("Queued"), OutboxStatus.SENT: _l("Sent"), OutboxStatus.FAILED: _l("Failed")}[self])


class OutboxMessage(Model):
    """An email to a recipient in their language, waiting for (or past) delivery.

    The row holds what the email says (`template` and its JSON `context`),
    not the rendered body: the sender renders it, with a manage link and
    tickets made at that moment, so no secret is ever stored here (see
    services/emails.py). A sender claims a row by setting `locked_until` (a
    lease); if it dies mid-send the lease runs out and another sender takes
    the row over.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    # A delegate's own email (their ticket); a plain id like Delegate.replaces_id, set with registration_id.
    delegate_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    # emails/<template>.txt and .html; `context` holds the words fixed when the email was queued.
    template: Mapped[str] = mapped_column(String(40))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # Fixed at queue time, so a retried delivery carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[OutboxStatus] = mapped_column(db_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")

    registration: Mapped[Registration | None] = relationship()
    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )


class OutboxAttachment(Model):
    """A file fixed when the email was queued (a calendar entry); tickets are made at send time."""

    __tablename__ = "outbox_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    # Set for images the HTML part shows inline (<img src="cid:...">).
    content_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
