"""Organizer accounts, the events each may manage, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import Model, db
from .event import Event, db_enum
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .registration import Registration


class UserRole(enum.StrEnum):
    """What an account may do; exchange/manage/permissions.py says which pages each role reaches."""

    ADMIN = "admin"  # every event, accounts, audit log, outbox
    ORGANIZER = "organizer"  # the events assigned to them
    DOOR = "door"  # check-in of the events assigned to them, nothing else
    VIEWER = "viewer"  # reads the lists and statistics of the events assigned to them

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(
            {
                UserRole.ADMIN: _l("Administrator"),
                UserRole.ORGANIZER: _l("Organizer"),
                UserRole.DOOR: _l("Door staff"),
                UserRole.VIEWER: _l("Viewer"),
            }[self]
        )


event_assignment = Table(
    "event_assignment",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lowercase
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[UserRole] = mapped_column(db_enum(UserRole, "user_role"), default=UserRole.ORGANIZER)
    # The back office speaks this language to the user.
    language: Mapped[str] = mapped_column(String(5), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Part of every session's login id: raising it ends every session signed in before.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Viewers download exports only when an administrator grants it.
    may_export: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Base32 TOTP secret once two-factor sign-in is set up; the last time step used, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(nullable=True)

    events: Mapped[list[Event]] = relationship(secondary=event_assignment, order_by="Event.starts_at")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.ADMIN

    def get_id(self) -> str:
        """The login id kept in the session: the account and its session version ("12:3")."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class RecoveryCode(Model):
    """A one-time code that signs in without the authenticator app; stored as SHA-256, deleted once used."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Model):
    """Who did what, when, from where: every back-office action that changes or exports data."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Kept as text so the log still names the person after their account is gone.
    user_email: Mapped[str] = mapped_column(String(254), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    action: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
    event: Mapped[Event | None] = relationship()
    # The registration the entry is about, while it exists (details keep its reference after).
    registration: Mapped[Registration | None] = relationship()
