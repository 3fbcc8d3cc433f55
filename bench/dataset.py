"""A realistic data set for the benchmarks: events in eight languages, registrations, one organizer.

    .venv/bin/python bench/dataset.py --database-url URL [--events 200] [--registrations 100000]

The events are the city's programme (exchange/demo/programme, content in all
eight locales) repeated with other slugs, categories and dates: four in five
upcoming with registration open, one in five past, so the feeds carry the
history they carry in production. The registrations are spread over the
upcoming events, their seat counters kept exact (`flask check-seats` finds no
drift). Three more events serve the write benchmarks: a large one for the
registration POST, one of 50 seats for the rush, and one happening today
whose attendees the door checks in (references CHECKIN_REFERENCE % n).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from export_bench import registration_values  # noqa: E402

from exchange import create_app  # noqa: E402
from exchange.extensions import db  # noqa: E402
from exchange.models import Category, Event, EventStatus, EventTranslation, Registration, User, UserRole, utcnow  # noqa: E402
from exchange.services.demo import load_programme  # noqa: E402

ORGANIZER_EMAIL = "bench-organizer@example.org"
ORGANIZER_PASSWORD = "bench correct horse battery staple"
REGISTER_SLUG = "bench-register"
RUSH_SLUG = "bench-rush"
RUSH_SEATS = 50
CHECKIN_SLUG = "bench-checkin"
CHECKIN_TAG = "CHECKIN0"  # uppercase: the door looks references up in capitals
CHECKIN_REFERENCE = "B" + CHECKIN_TAG + "%07d"  # registration_values' reference for CHECKIN_TAG and number n
INSERT_BATCH = 5_000


@dataclass(frozen=True)
class Dataset:
    events: int
    registrations: int
    checkin_attendees: int


def generate(events: int, registrations: int, checkin_attendees: int = 50_000) -> Dataset:
    """Insert the data set into the app's (empty, migrated) database; call inside an app context."""
    now = utcnow().replace(microsecond=0)
    programme = load_programme()
    categories = list(Category)
    upcoming = []
    for number in range(events):
        entry = programme[number % len(programme)]
        past = number % 5 == 4
        starts_at = now + timedelta(days=-(number + 1) if past else 1 + number * 365 // max(events, 1), hours=number % 9)
        event_id = _insert_event(
            slug=f"{entry['key']}-{number}",
            category=categories[number % len(categories)] if number >= len(programme) else Category(entry["category"]),
            starts_at=starts_at,
            capacity=max(entry["capacity"], registrations // max(events, 1) * 2 + 10),
            entry=entry,
            now=now,
        )
        if not past:
            upcoming.append(event_id)
    register_id = _insert_event(REGISTER_SLUG, Category.CULTURE, now + timedelta(days=20), 10_000_000, programme[0], now)
    _insert_event(RUSH_SLUG, Category.FESTIVAL, now + timedelta(days=21), RUSH_SEATS, programme[1 % len(programme)], now)
    checkin_id = _insert_event(
        CHECKIN_SLUG, Category.FAIR, now - timedelta(hours=1), checkin_attendees, programme[2 % len(programme)], now
    )
    _insert_registrations(upcoming or [register_id], registrations, now)
    _insert_registrations([checkin_id], checkin_attendees, now, tag=CHECKIN_TAG)
    organizer = User(
        email=ORGANIZER_EMAIL, role=UserRole.ORGANIZER, language="vi", password_hash=generate_password_hash(ORGANIZER_PASSWORD)
    )
    organizer.events = [db.session.get(Event, checkin_id)]
    db.session.add(organizer)
    db.session.commit()
    return Dataset(events=events, registrations=registrations, checkin_attendees=checkin_attendees)


def _insert_event(slug: str, category: Category, starts_at, capacity: int, entry: dict, now) -> int:
    opens_at = min(now - timedelta(days=10), starts_at - timedelta(days=40))
    event_id = db.session.scalar(
        insert(Event).returning(Event.id),
        {
            "slug": slug,
            "status": EventStatus.PUBLISHED,
            "category": category,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(days=entry["days"] - 1, hours=6),
            "timezone": entry["timezone"],
            "venue_name": entry["venue"]["name"],
            "venue_address": entry["venue"]["address"],
            "capacity": capacity,
            "seats_taken": 0,
            "registration_opens_at": opens_at,
            "registration_closes_at": max(starts_at - timedelta(hours=1), opens_at + timedelta(days=1)),
            "allows_individuals": True,
            "allows_delegations": entry["allows_delegations"],
            "max_delegation_size": entry["max_delegation_size"],
            "partner_countries": entry["partner_countries"],
            "approval_digest": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    db.session.execute(
        insert(EventTranslation),
        [{"event_id": event_id, "lang": lang, **content} for lang, content in entry["translations"].items()],
    )
    return event_id


def _insert_registrations(event_ids: list[int], count: int, now, tag: str | None = None) -> None:
    """`count` confirmed individual registrations, round-robin over `event_ids`; seats_taken follows them."""
    taken = dict.fromkeys(event_ids, 0)
    batch: list[dict] = []
    for number in range(count):
        event_id = event_ids[number % len(event_ids)]
        values = registration_values(event_id, tag or f"e{event_id:07d}", number, False, now)
        values["checked_in_at"] = None
        batch.append(values)
        taken[event_id] += 1
        if len(batch) == INSERT_BATCH:
            db.session.execute(insert(Registration), batch)
            batch = []
    if batch:
        db.session.execute(insert(Registration), batch)
    for event_id, seats in taken.items():
        event = db.session.get(Event, event_id)
        event.capacity = max(event.capacity, seats)
        event.seats_taken = seats
    db.session.commit()


def event_page_slug() -> str:
    """An upcoming event of the programme (the first generated), for the event page benchmark."""
    return f"{load_programme()[0]['key']}-0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of an empty database (migrated here)")
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--checkin-attendees", type=int, default=50_000, help="attendees the door can check in")
    args = parser.parse_args()
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": args.database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        print(generate(args.events, args.registrations, args.checkin_attendees))


if __name__ == "__main__":
    main()
