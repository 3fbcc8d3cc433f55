"""Calendar files (RFC 5545) built with the icalendar library."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, request, url_for
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..models import Event, EventStatus

PRODUCT_ID = "-//Can Tho Cultural Exchange//Events//EN"


def base_url() -> str:
    """Where the site lives: BASE_URL when configured, else the current request's root."""
    configured = current_app.config.get("BASE_URL")
    return (configured or request.url_root).rstrip("/")


def events_calendar(events: Iterable[Event], lang: str) -> bytes:
    """A calendar with one entry per event, titled in `lang` (or its fallback)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Cần Thơ Cultural Exchange")
    for event in events:
        calendar.add_component(_calendar_event(event, lang))
    return calendar.to_ical()


def _calendar_event(event: Event, lang: str) -> CalendarEvent:
    content = event.content(lang)
    entry = CalendarEvent()
    # Stable per event, so a re-downloaded feed updates entries instead of duplicating them.
    entry.add("uid", f"event-{event.slug}@{_host()}")
    entry.add("dtstamp", event.updated_at)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", content.title if content else event.slug)
    if content and content.summary:
        entry.add("description", content.summary)
    entry.add("location", ", ".join(part for part in (event.venue_name, event.venue_address) if part))
    entry.add("url", base_url() + url_for("public.event_detail", lang=lang, slug=event.slug))
    entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return entry


def _host() -> str:
    return base_url().split("://", 1)[-1].split("/", 1)[0] or "localhost"
