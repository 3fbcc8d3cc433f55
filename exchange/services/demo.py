"""The city's cultural-diplomacy programme, as demo data.

Each event lives in exchange/demo/programme/<key>.json with its yearly date
(month, day, local times) and its content in the eight locales. Loading it
dates every event at its next yearly occurrence whose registration is still
open (or not open yet), or in a given year, and imports it through the same
code as `flask import-events`. An anniversary event names the country
(`anniversary_of`) and writes the count of years as {years} or {nth}, filled
in for the year the event is dated in.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .anniversaries import fill, years_since
from .event_io import ImportResult, import_events

PROGRAMME_DIR = Path(__file__).resolve().parent.parent / "demo" / "programme"


def load_programme() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(PROGRAMME_DIR.glob("*.json"))]


def programme_events(today: date, year: int | None = None) -> list[dict[str, Any]]:
    """The programme in the API's event shape, dated in `year` or at its next occurrence after `today`.

    Whichever the year, an event whose registration has closed by the end of
    `today` is left out: the demo never shows a programme that cannot be joined.
    """
    dated = [_dated(entry, year if year is not None else _next_year(entry, today)) for entry in load_programme()]
    return [event for event in dated if _still_open(event, today)]


def _next_year(entry: dict[str, Any], today: date) -> int:
    """The first year, from this one, in which the event's registration is still open after today."""
    year = today.year
    while not _still_open(_dated(entry, year), today):
        year += 1
    return year


def _still_open(event: dict[str, Any], today: date) -> bool:
    closes_at = datetime.fromisoformat(event["registration_closes_at"]).astimezone(ZoneInfo(event["timezone"]))
    return closes_at.date() > today


def _dated(entry: dict[str, Any], year: int) -> dict[str, Any]:
    zone = ZoneInfo(entry["timezone"])
    first_day = date(year, entry["month"], entry["day"])
    last_day = first_day + timedelta(days=entry["days"] - 1)
    starts_at = datetime.combine(first_day, time.fromisoformat(entry["start"]), zone)
    ends_at = datetime.combine(last_day, time.fromisoformat(entry["end"]), zone)
    opens_at = datetime.combine(first_day - timedelta(days=entry["registration_opens_days_before"]), time(8, 0), zone)
    closes_at = datetime.combine(first_day - timedelta(days=entry["registration_closes_days_before"]), time(23, 59), zone)
    return {
        "slug": f"{entry['key']}-{year}",
        "status": "published",
        "category": entry["category"],
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "timezone": entry["timezone"],
        "venue": entry["venue"],
        "capacity": entry["capacity"],
        "registration_opens_at": opens_at.isoformat(),
        "registration_closes_at": min(closes_at, starts_at).isoformat(),
        "allows_individuals": entry["allows_individuals"],
        "allows_delegations": entry["allows_delegations"],
        "max_delegation_size": entry["max_delegation_size"],
        "partner_countries": entry["partner_countries"],
        "translations": _content(entry, year),
    }


def _content(entry: dict[str, Any], year: int) -> dict[str, dict[str, str]]:
    """The texts in each locale, with an anniversary's count of years filled in for `year`."""
    country = entry.get("anniversary_of")
    if country is None:
        return entry["translations"]
    count = years_since(country, year)
    return {
        lang: {name: fill(text, count, lang) for name, text in fields.items()} for lang, fields in entry["translations"].items()
    }


def seed_demo(today: date, year: int | None = None) -> ImportResult:
    """Load the programme; events already there (by slug) are left untouched."""
    return import_events({"events": programme_events(today, year)}, create_only=True)
