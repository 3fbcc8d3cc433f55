"""Events and their per-language content."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Enum, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..i18n import CONTENT_FALLBACK
from ..text import fold_for_search
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .question import Question

T = TypeVar("T")


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_STATUS_TITLES[self])


_STATUS_TITLES = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}


class Category(enum.StrEnum):
    FESTIVAL = "festival"
    CULTURE = "culture"
    ANNIVERSARY = "anniversary"
    EXCHANGE = "exchange"
    FAIR = "fair"
    CONFERENCE = "conference"
    HERITAGE = "heritage"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_CATEGORY_TITLES[self])


_CATEGORY_TITLES = {
    Category.FESTIVAL: _l("Festival"),
    Category.CULTURE: _l("Culture"),
    Category.ANNIVERSARY: _l("Diplomatic anniversary"),
    Category.EXCHANGE: _l("Youth and student exchange"),
    Category.FAIR: _l("Fair"),
    Category.CONFERENCE: _l("Conference"),
    Category.HERITAGE: _l("Heritage visit"),
}


class Audience(enum.StrEnum):
    """Who may register, as the catalog filters it."""

    INDIVIDUALS = "individuals"
    DELEGATIONS = "delegations"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_AUDIENCE_TITLES[self])


_AUDIENCE_TITLES = {
    Audience.INDIVIDUALS: _l("Open to individuals"),
    Audience.DELEGATIONS: _l("Open to delegations"),
}


class RegistrationWindow(enum.StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"
    UNAVAILABLE = "unavailable"  # draft or cancelled event


def db_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings with a CHECK, the same on SQLite and PostgreSQL.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Event(Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("registration_closes_at > registration_opens_at", name="window_order"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        # The seat counter can never overbook, whatever the code above it does.
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("max_delegation_size >= 1", name="delegation_size_positive"),
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
        Index("ix_event_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[EventStatus] = mapped_column(db_enum(EventStatus, "event_status"), default=EventStatus.DRAFT)
    category: Mapped[Category] = mapped_column(db_enum(Category, "event_category"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    # Where the venue is (WGS 84 degrees), for the map link and the calendar's GEO: both or neither.
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Whom attendees ask; the email is the Reply-To of every email about the event.
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    capacity: Mapped[int]
    # Seats held by confirmed and pending registrations; written only by the seat allocator.
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    allows_individuals: Mapped[bool] = mapped_column(default=True)
    allows_delegations: Mapped[bool] = mapped_column(default=False)
    max_delegation_size: Mapped[int] = mapped_column(default=10)
    # Delegations register only through an invitation (its code); individuals as `allows_individuals` says.
    delegations_by_invitation: Mapped[bool] = mapped_column(default=False, server_default="0")
    partner_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Organizers hear of each delegation awaiting approval at once (False) or in one daily digest (True).
    approval_digest: Mapped[bool] = mapped_column(default=False, server_default="0")
    # When the last daily digest went out; the next one lists what arrived since.
    approval_digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Until when a delegation's contact may replace a delegate by someone else (None: the registration close),
    # and whether the substitute then awaits approval (else they take the replaced person's place as it was).
    substitution_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    substitutes_need_approval: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The cover image (exchange/services/images.py): the fingerprint its files under MEDIA_DIR are named
    # by, its size after re-encoding (for the page's width and height) and the widths it was saved at.
    # Events share a fingerprint after "duplicate for next year"; the files go when the last one drops it.
    image_hash: Mapped[str | None] = mapped_column(String(32), nullable=True)
    image_width: Mapped[int | None] = mapped_column(nullable=True)
    image_height: Mapped[int | None] = mapped_column(nullable=True)
    image_widths: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    translations: Mapped[list[EventTranslation]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin", order_by="EventTranslation.lang"
    )

    # Every question, retired ones included (their answers stay); `Question.is_asked_of` says which a form asks.
    questions: Mapped[list[Question]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Question.position"
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    def content(self, lang: str) -> EventTranslation | None:
        """The content in `lang`, else in the fallback languages, else any; check `.lang`."""
        return in_language({translation.lang: translation for translation in self.translations}, lang)

    def image_alt_in(self, lang: str) -> EventTranslation | None:
        """The content whose cover-image alt text to use for `lang` (in `lang`, else the fallbacks, else any; check `.lang`).

        None when no language describes the image.
        """
        by_lang = {translation.lang: translation for translation in self.translations if translation.image_alt}
        for candidate in (lang, *CONTENT_FALLBACK):
            if candidate in by_lang:
                return by_lang[candidate]
        return next(iter(by_lang.values()), None)

    def title_in(self, lang: str) -> str:
        """The title from `content(lang)`; the slug for an event with no content at all."""
        content = self.content(lang)
        return content.title if content else self.slug

    def venue_in(self, lang: str) -> Venue:
        """The venue as written in the content `content(lang)` shows, else the event's own.

        The venue follows the content, so a page reads one translation per event (see
        services/events.py); the name and the address fall back each on its own.
        """
        content = self.content(lang)
        name = content.venue_name if content else ""
        address = content.venue_address if content else ""
        return Venue(
            name=name or self.venue_name,
            address=address or self.venue_address,
            name_lang=content.lang if content and name else None,
            address_lang=content.lang if content and address else None,
        )

    @property
    def map_url(self) -> str | None:
        """The venue on OpenStreetMap, marked, at street level; None without coordinates."""
        if self.latitude is None or self.longitude is None:
            return None
        lat, lon = f"{self.latitude:.6f}".rstrip("0").rstrip("."), f"{self.longitude:.6f}".rstrip("0").rstrip(".")
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

    @property
    def contact_mailto(self) -> str:
        """A mailto: link to the contact email that opens a message to it and nothing more.

        An address may be valid with "?" or "&" in its local part; unquoted, "a?cc=x@y" would
        add a recipient.
        """
        local, _, domain = self.contact_email.rpartition("@")
        return f"mailto:{quote(local, safe='')}@{quote(domain, safe='')}"

    def registration_window(self, now: datetime | None = None) -> RegistrationWindow:
        if self.status != EventStatus.PUBLISHED:
            return RegistrationWindow.UNAVAILABLE
        now = now or utcnow()
        if now < self.registration_opens_at:
            return RegistrationWindow.NOT_YET_OPEN
        if now >= self.registration_closes_at:
            return RegistrationWindow.CLOSED
        return RegistrationWindow.OPEN

    @property
    def substitutions_close_at(self) -> datetime:
        return self.substitution_deadline or self.registration_closes_at

    def takes_substitutions(self, now: datetime | None = None) -> bool:
        """Whether a delegation's contact may replace a delegate now: the event published, before the deadline."""
        return self.status == EventStatus.PUBLISHED and (now or utcnow()) < self.substitutions_close_at

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


def in_language(by_lang: Mapping[str, T], lang: str) -> T | None:
    """The value for `lang`, else for the fallback languages, else any: how every event text is chosen."""
    for candidate in (lang, *CONTENT_FALLBACK):
        if candidate in by_lang:
            return by_lang[candidate]
    return next(iter(by_lang.values()), None)


@dataclass(frozen=True)
class Venue:
    """An event's venue in one language; `*_lang` is the language it is written in (None: the event's own)."""

    name: str
    address: str
    name_lang: str | None = None
    address_lang: str | None = None


class EventTranslation(Model):
    """Organizer-written content of an event in one language."""

    __tablename__ = "event_translation"
    __table_args__ = (UniqueConstraint("event_id", "lang", name="uq_event_translation_event_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    # Markdown; rendered through exchange.services.content.render_markdown (sanitised).
    description: Mapped[str] = mapped_column(Text, default="")
    # Title and summary folded for the catalog's search, kept up to date on every flush by `_fold_translation`.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # What the cover image shows, for people who cannot see it (the image's alt text in this language).
    image_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The venue in this language; empty means the event's own venue_name / venue_address.
    venue_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="", server_default="")

    event: Mapped[Event] = relationship(back_populates="translations")


@listens_for(EventTranslation, "before_insert")
@listens_for(EventTranslation, "before_update")
def _fold_translation(_mapper, _connection, translation: EventTranslation) -> None:
    """Refold the search column from the title and summary, whichever service changed them."""
    translation.search_text = fold_for_search(translation.title or "", translation.summary or "")
