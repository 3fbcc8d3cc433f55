"""Database models. Import them from here."""

from .event import Audience, Category, Event, EventStatus, EventTranslation, RegistrationWindow
from .types import UTCDateTime, utcnow

__all__ = [
    "Audience",
    "Category",
    "Event",
    "EventStatus",
    "EventTranslation",
    "RegistrationWindow",
    "UTCDateTime",
    "utcnow",
]
