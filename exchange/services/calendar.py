"""Calendar files (RFC 5545) built with the icalendar library."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Calendar, vCalAddress
from icalendar import Event as CalendarEvent

from ..links import external_url
from ..models import Delegate, Event, EventStatus, Registration, RegistrationStatus
from .outbox import sender

PRODUCT_ID = "-//Can Tho Cultural Exchange//Events//EN"
# The right-hand side of every UID. Fixed rather than taken from BASE_URL, so
# moving the site to another host or port does not duplicate every entry in
# subscribers' calendars.
UID_DOMAIN = "cantho-cultural-exchange"


def events_calendar(events: Iterable[Event], lang: str) -> bytes:
    """A calendar with one entry per event, titled in `lang` (or its fallback)."""
    calendar = _calendar()
    for event in events:
        # Stable per event, so a re-downloaded feed updates entries instead of duplicating them.
        calendar.add_component(_calendar_event(event, lang, uid=f"event-{event.slug}@{UID_DOMAIN}"))
    return calendar.to_ical()


@dataclass(frozen=True)
class CalendarStamp:
    """What a registrant's calendar file says of the registration at one moment: add or remove, and which version.

    An email fixes it when queued and builds the file when sent, so a
    confirmation sent after a cancellation still adds the entry that the
    cancellation's file (a later SEQUENCE) then removes.
    """

    method: str  # PUBLISH or CANCEL
    sequence: int

    @classmethod
    def of(cls, registration: Registration) -> CalendarStamp:
        method = "CANCEL" if registration.status == RegistrationStatus.CANCELLED else "PUBLISH"
        return cls(method=method, sequence=len(registration.changes))

    @property
    def content_type(self) -> str:
        """The MIME type of the file as an email attachment.

        Mail readers need the charset to decode Khmer or Vietnamese text (without
        it Python's reader, among others, shows replacement characters) and the
        method to offer "add" or "remove" (RFC 6047).
        """
        return f"text/calendar; charset=UTF-8; method={self.method}"


def registration_calendar(registration: Registration, stamp: CalendarStamp | None = None) -> bytes:
    """The registrant's own entry, in their language, as of `stamp` (default: now).

    Its UID is stable per registration and its SEQUENCE grows with each
    change, so a calendar replaces the entry it has; a cancelled
    registration's file cancels it.
    """
    stamp = stamp or CalendarStamp.of(registration)
    uid = f"registration-{registration.reference}@{UID_DOMAIN}"
    return _personal_calendar(registration.event, registration.language, uid, stamp)


def delegate_calendar(delegate: Delegate, stamp: CalendarStamp) -> bytes:
    """A delegate's own entry, in their language: their UID is not their contact's, whose calendar is another."""
    uid = f"delegate-{delegate.key}@{UID_DOMAIN}"
    return _personal_calendar(delegate.registration.event, delegate.email_language, uid, stamp)


def _personal_calendar(event: Event, lang: str, uid: str, stamp: CalendarStamp) -> bytes:
    calendar = _calendar()
    calendar.add("method", stamp.method)
    entry = _calendar_event(event, lang, uid=uid, cancelled=stamp.method == "CANCEL")
    entry.add("sequence", stamp.sequence)
    # RFC 5546 requires an organizer on a CANCEL; on PUBLISH it tells the reader who sent it.
    name, address = sender(lang)
    organizer = vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["cn"] = name
    entry.add("organizer", organizer)
    calendar.add_component(entry)
    return calendar.to_ical()


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Cần Thơ Cultural Exchange")
    return calendar


def _calendar_event(event: Event, lang: str, uid: str, cancelled: bool = False) -> CalendarEvent:
    content = event.content(lang)
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("dtstamp", event.updated_at)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", content.title if content else event.slug)
    if content and content.summary:
        entry.add("description", content.summary)
    venue = event.venue_in(lang)
    entry.add("location", ", ".join(part for part in (venue.name, venue.address) if part))
    if event.latitude is not None and event.longitude is not None:
        entry.add("geo", (event.latitude, event.longitude))
    entry.add("url", external_url("public.event_detail", lang=lang, slug=event.slug))
    entry.add("status", "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED")
    return entry
