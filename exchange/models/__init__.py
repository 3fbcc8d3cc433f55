"""Database models. Import them from here."""

from .event import Audience, Category, Event, EventStatus, EventTranslation, RegistrationWindow, Venue, in_language
from .invitation import Invitation, InvitationStatus
from .outbox import OutboxAttachment, OutboxMessage, OutboxStatus
from .question import Answer, AskedOf, Question, QuestionType
from .registration import (
    ACTIVE_STATUSES,
    SEAT_HOLDING_STATUSES,
    SEATED_DELEGATE_STATUSES,
    AttendeeCategory,
    Delegate,
    DelegateStatus,
    DelegateToken,
    ManageToken,
    Registration,
    RegistrationChange,
    RegistrationKind,
    RegistrationStatus,
    Transition,
    registration_search_text,
)
from .types import UTCDateTime, utcnow
from .user import AuditEntry, RecoveryCode, User, UserRole, event_assignment

__all__ = [
    "Invitation",
    "InvitationStatus",
    "Answer",
    "AskedOf",
    "Question",
    "QuestionType",
    "AuditEntry",
    "RecoveryCode",
    "User",
    "UserRole",
    "event_assignment",
    "ACTIVE_STATUSES",
    "SEAT_HOLDING_STATUSES",
    "SEATED_DELEGATE_STATUSES",
    "AttendeeCategory",
    "Delegate",
    "DelegateStatus",
    "DelegateToken",
    "ManageToken",
    "OutboxAttachment",
    "OutboxMessage",
    "OutboxStatus",
    "Registration",
    "RegistrationChange",
    "RegistrationKind",
    "RegistrationStatus",
    "Transition",
    "Audience",
    "Category",
    "Event",
    "EventStatus",
    "EventTranslation",
    "RegistrationWindow",
    "in_language",
    "registration_search_text",
    "UTCDateTime",
    "Venue",
    "utcnow",
]
