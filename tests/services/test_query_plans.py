"""Every hot query finds its rows through an index (PostgreSQL's EXPLAIN with sequential scans priced out)."""

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import text

from exchange.database import write_transaction
from exchange.extensions import db
from exchange.models import Category, Event, RegistrationStatus
from exchange.services.events import (
    CatalogFilters,
    catalog_months,
    catalog_page,
    public_event,
    public_event_page,
    upcoming_events,
)
from exchange.services.mailer import claim_next
from exchange.services.registration_admin import RegistrationFilters, registrations_query
from exchange.services.registrations import register
from exchange.services.seats import fill_from_waitlist
from exchange.services.tickets import read_ticket_code, ticket_code
from exchange.services.tokens import issue_manage_token, registration_for_token

EXPLAINED = ("SELECT", "UPDATE", "DELETE", "WITH")


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are checked on PostgreSQL (TEST_DATABASE_URL)")


class Statements:
    def __init__(self):
        self.seen: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(EXPLAINED):
            self.seen.append((statement, parameters))


def _hot_queries(make_event, individual, delegation) -> dict[str, list[tuple[str, object]]]:
    """Run each hot path once and return the statements it sent, by name."""
    event = make_event(capacity=2, titles={"vi": "Lễ hội", "en": "Festival", "ko": "축제"}, category=Category.FESTIVAL)
    full = make_event(capacity=1)
    paths = {
        "catalog": lambda: catalog_page(CatalogFilters(), 1, "ko"),
        "catalog by category": lambda: catalog_page(CatalogFilters(category=Category.FESTIVAL), 1, "vi"),
        "catalog months": catalog_months,
        "home": lambda: upcoming_events(6, "th"),
        "event page": lambda: public_event_page(event.slug, "ko"),
        "event by slug": lambda: public_event(event.slug),
        "registration": lambda: register(event.id, individual(email="lan@example.com")),
        "delegation": lambda: register(event.id, delegation(size=1, email="consulate@example.org")),
        "waiting list joined": lambda: [register(full.id, individual(email=f"{n}@example.com")) for n in range(3)],
    }
    captured = {}
    statements = Statements()
    sqlalchemy_event.listen(db.engine, "before_cursor_execute", statements)
    try:
        for name, path in paths.items():
            statements.seen = []
            path()
            captured[name] = statements.seen
        confirmed = register(full.id, individual(email="first@example.com")).registration
        first_delegation = register(event.id, delegation(size=1, email="embassy@example.org")).registration
        later_paths = {
            "registrations of an event by status": lambda: db.session.scalars(
                registrations_query(event.id, RegistrationFilters(status=RegistrationStatus.CONFIRMED))
            ).all(),
            "waiting list": lambda: _promote(full),
            "outbox claim": claim_next,
            "manage token": lambda: registration_for_token(_token(confirmed)),
            "ticket key": lambda: read_ticket_code(ticket_code(confirmed.ticket_key)),
            "delegate ticket key": lambda: read_ticket_code(ticket_code(first_delegation.delegates[0].ticket_key)),
        }
        for name, path in later_paths.items():
            statements.seen = []
            path()
            captured[name] = statements.seen
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", statements)
    return captured


def _promote(event: Event) -> None:
    with write_transaction():
        event = db.session.get(Event, event.id)
        db.session.execute(text("UPDATE event SET capacity = capacity + 1 WHERE id = :id"), {"id": event.id})
        fill_from_waitlist(event)


def _token(registration) -> str:
    with write_transaction():
        return issue_manage_token(registration)


def _full_scans(statement: str, parameters) -> list[str]:
    """Tables the plan reads whole: a sequential scan, or an index walked end to end with no condition."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        ((plan,),) = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).all()
        connection.rollback()
    found = []
    nodes = [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        kind = node["Node Type"]
        if kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node):
            found.append(f"{kind} on {node['Relation Name']}")
    return found


def test_hot_queries_use_indexes(postgresql, make_event, individual, delegation):
    captured = _hot_queries(make_event, individual, delegation)
    assert all(captured.values()), [name for name, statements in captured.items() if not statements]
    scans = {}
    for name, statements in captured.items():
        for statement, parameters in statements:
            tables = _full_scans(statement, parameters)
            if tables:
                scans.setdefault(name, []).append((tables, statement))
    assert scans == {}
