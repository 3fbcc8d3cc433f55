"""Benchmark the attendee exports: wall time and peak Python memory, for N/10 and N attendees.

    .venv/bin/python bench/export_bench.py [--attendees 100000] [--database-url URL]

Without --database-url the data goes to a temporary SQLite file, deleted at
the end. With it, the schema is migrated to the latest revision and the two
benchmark events (with their registrations) are deleted at the end.

Each export runs twice: once untraced for the wall time and the CPU time
of this process (the database server's own work is not in it on
PostgreSQL; on a shared machine the CPU time is the steadier figure), once under
tracemalloc for the peak (tracing slows Python down several times). The peak
covers Python allocations only: the database driver's own buffers are not in
it. It should stay flat from N/10 to N: that is the constant-memory claim.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import delete, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange import create_app  # noqa: E402
from exchange.extensions import db  # noqa: E402
from exchange.models import (  # noqa: E402
    AttendeeCategory,
    Category,
    Delegate,
    Event,
    EventStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    utcnow,
)
from exchange.services.exports import attendee_rows, csv_chunks, write_xlsx  # noqa: E402

DELEGATION_SIZE = 5
DELEGATION_EVERY = 20  # one registration in 20 is a delegation, so about a fifth of the attendees are delegates
INSERT_BATCH = 5_000
NAMES = ("Nguyễn Thị Lan", "이서연", "ສົມພອນ ແສງທອງ", "សុខ សុភា", "Trần-Lê Minh", '=HYPERLINK("x")', "Sarah O'Brien")
COUNTRIES = ("VN", "KR", "LA", "KH", "TH", "JP", "FR", "IN")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=100_000, help="attendees in the large event (default 100000)")
    parser.add_argument("--database-url", help="SQLAlchemy URL of an existing database (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="export-bench-") as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        app = create_app({"SECRET_KEY": "export-bench", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade()
            print(f"database  {db.engine.dialect.name}")
            events = []
            try:
                for size in (max(args.attendees // 10, 1), args.attendees):
                    started = time.perf_counter()
                    event = create_event(size)
                    events.append(event.id)
                    print(f"inserted  {size} attendees in {time.perf_counter() - started:.1f} s")
                for event_id in events:
                    event = db.session.get(Event, event_id)
                    count = sum(1 for _ in attendee_rows(event))
                    db.session.rollback()
                    measure("csv ", event, count, lambda rows, _target: drain(csv_chunks(rows)), scratch)
                    measure("xlsx", event, count, lambda rows, target: write_xlsx(rows, target, "vi"), scratch)
            finally:
                db.session.rollback()
                db.session.execute(delete(Event).where(Event.id.in_(events)))
                db.session.commit()


def create_event(attendees: int) -> Event:
    """Insert a published event with `attendees` attendees, a fifth of them in delegations."""
    now = utcnow().replace(microsecond=0)
    tag = uuid.uuid4().hex[:8]
    event = Event(
        slug=f"export-bench-{tag}",
        status=EventStatus.PUBLISHED,
        category=Category.FESTIVAL,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=4),
        venue_name="Bến Ninh Kiều",
        capacity=attendees,
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now + timedelta(days=29),
        allows_delegations=True,
        max_delegation_size=DELEGATION_SIZE,
        partner_countries=[],
    )
    db.session.add(event)
    db.session.commit()
    registrations = []
    delegations = []
    placed = 0
    number = 0
    while placed < attendees:
        is_delegation = number % DELEGATION_EVERY == DELEGATION_EVERY - 1 and attendees - placed >= DELEGATION_SIZE
        registrations.append(registration_values(event.id, tag, number, is_delegation, now))
        delegations.append(is_delegation)
        placed += DELEGATION_SIZE if is_delegation else 1
        number += 1
        if len(registrations) == INSERT_BATCH or placed >= attendees:
            insert_batch(registrations, delegations)
            registrations, delegations = [], []
    db.session.commit()
    return event


def registration_values(event_id: int, tag: str, number: int, is_delegation: bool, now) -> dict:
    email = f"bench-{tag}-{number}@example.org"
    return {
        "event_id": event_id,
        "kind": RegistrationKind.DELEGATION if is_delegation else RegistrationKind.INDIVIDUAL,
        "status": RegistrationStatus.PENDING if is_delegation else RegistrationStatus.CONFIRMED,
        "reference": f"B{tag}{number:07d}"[:16],
        "seats": DELEGATION_SIZE if is_delegation else 1,
        "full_name": f"{NAMES[number % len(NAMES)]} {number}",
        "email": email,
        "email_normalized": email,
        "phone": f"+8490{number:07d}",
        "organization": "Đại học Cần Thơ" if number % 3 else "",
        "country": COUNTRIES[number % len(COUNTRIES)],
        "category": None if is_delegation else AttendeeCategory.STUDENT,
        "position": "Consul" if is_delegation else "",
        "notes": "",
        "language": "vi",
        "consent_at": now,
        "created_at": now - timedelta(seconds=number),
        "updated_at": now,
        "checked_in_at": now if number % 4 == 0 else None,
    }


def insert_batch(registrations: list[dict], delegations: list[bool]) -> None:
    ids = db.session.scalars(insert(Registration).returning(Registration.id, sort_by_parameter_order=True), registrations).all()
    delegates = [
        {
            "registration_id": registration_id,
            "sort_order": order,
            "full_name": f"{NAMES[(registration_id + order) % len(NAMES)]} delegate {order + 1}",
            "position": "Delegate",
            "nationality": "KR",
            "dietary": "Vegetarian" if order == 0 else "",
            "interpreter_language": "ko",
            "checked_in_at": None,
        }
        for registration_id, is_delegation in zip(ids, delegations, strict=True)
        if is_delegation
        for order in range(DELEGATION_SIZE)
    ]
    if delegates:
        db.session.execute(insert(Delegate), delegates)


def drain(chunks: Iterator[bytes]) -> None:
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            sink.write(chunk)


def measure(label: str, event: Event, count: int, export: Callable[[Iterator[list[str]], str], None], scratch: str) -> None:
    """Run `export` untraced for the time, then under tracemalloc for the peak; print one line."""
    target = os.path.join(scratch, f"bench-{event.id}.{label.strip()}")
    started, cpu_started = time.perf_counter(), time.process_time()
    export(attendee_rows(event), target)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    db.session.rollback()

    tracemalloc.start()
    try:
        export(attendee_rows(event), target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        db.session.rollback()
    size = f"  file {os.path.getsize(target) / 2**20:.1f} MiB" if os.path.exists(target) else ""
    print(f"{label}  {count:>7} attendees  {elapsed:5.1f} s  peak {peak / 2**20:4.1f} MiB  cpu {cpu:5.1f} s{size}")


if __name__ == "__main__":
    main()
