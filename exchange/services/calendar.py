"""Calendar files (RFC 5545) built with the icalendar library."""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..links import base_host, external_url
from ..models import Event, EventStatus, Registration, RegistrationStatus

PRODUCT_ID = "-//Can Tho Cultural Exchange//Events//EN"


def events_calendar(events: Iterable[Event], lang: str) -> bytes:
    """A calendar with one entry per event, titled in `lang` (or its fallback)."""
    calendar = _calendar()
    for event in events:
        # Stable per event, so a re-downloaded feed updates entries instead of duplicating them.
        calendar.add_component(_calendar_event(event, lang, uid=f"event-{event.slug}@{base_host()}"))
    return calendar.to_ical()


def registration_calendar(registration: Registration) -> bytes:
    """The registrant's own entry, in their language.

    Its UID is stable per registration and its SEQUENCE grows with each
    change, so a calendar replaces the entry it has; a cancelled
    registration's file cancels it.
    """
    calendar = _calendar()
    cancelled = registration.status == RegistrationStatus.CANCELLED
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    uid = f"registration-{registration.reference}@{base_host()}"
    entry = _calendar_event(registration.event, registration.language, uid=uid, cancelled=cancelled)
    entry.add("sequence", len(registration.changes))
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
    entry.add("location", ", ".join(part for part in (event.venue_name, event.venue_address) if part))
    entry.add("url", external_url("public.event_detail", lang=lang, slug=event.slug))
    entry.add("status", "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED")
    return entry
