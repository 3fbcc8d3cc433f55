"""The city's cultural-diplomacy programme, as demo data.

Each event lives in exchange/demo/programme/<key>.json with its yearly date
(month, day, local times) and its content in the eight locales. Loading it
dates every event at its next yearly occurrence, or in a given year, and
imports it through the same code as `flask import-events`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .event_io import ImportResult, import_events

PROGRAMME_DIR = Path(__file__).resolve().parent.parent / "demo" / "programme"


def load_programme() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(PROGRAMME_DIR.glob("*.json"))]


def programme_events(today: date, year: int | None = None) -> list[dict[str, Any]]:
    """The programme in the API's event shape, dated in `year` or at its next occurrence after `today`."""
    return [_dated(entry, year if year is not None else _next_year(entry, today)) for entry in load_programme()]


def _next_year(entry: dict[str, Any], today: date) -> int:
    this_year = date(today.year, entry["month"], entry["day"])
    return today.year if this_year >= today else today.year + 1


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
        "translations": entry["translations"],
    }


def seed_demo(today: date, year: int | None = None) -> ImportResult:
    """Load the programme; events already there (by slug) are left untouched."""
    return import_events({"events": programme_events(today, year)}, create_only=True)
