"""A registration's write transaction holds seats and rows only: every email is rendered when it is sent."""

import pytest
from flask import template_rendered
from icalendar import Calendar
from sqlalchemy import event as sqlalchemy_event

from exchange.extensions import db
from exchange.services.mailer import send_due
from exchange.services.tickets import Ticket

WRITES = ("INSERT", "UPDATE", "DELETE")


class Timeline:
    """What happened, in order: transactions beginning and ending, writes, and every rendering."""

    def __init__(self):
        self.entries: list[tuple[str, str]] = []

    def renders_inside_write_transactions(self) -> list[str]:
        found, open_renders, writing = [], [], False
        for kind, name in self.entries:
            if kind == "begin":
                open_renders, writing = [], False
            elif kind == "write":
                writing = True
            elif kind == "render":
                open_renders.append(name)
            elif kind == "commit" and writing:
                found.extend(open_renders)
        return found

    def renders(self) -> list[str]:
        return [name for kind, name in self.entries if kind == "render"]


@pytest.fixture
def timeline(app, monkeypatch):
    timeline = Timeline()
    engine = db.engine

    def begin(conn):
        timeline.entries.append(("begin", ""))

    def commit(conn):
        timeline.entries.append(("commit", ""))

    def rollback(conn):
        timeline.entries.append(("rollback", ""))

    def statement(conn, cursor, sql, parameters, context, executemany):
        if sql.lstrip().upper().startswith(WRITES):
            timeline.entries.append(("write", sql.split(None, 3)[2] if sql.upper().startswith("INSERT") else sql[:20]))

    def template(sender, template, context, **extra):
        timeline.entries.append(("render", template.name))

    def spy(owner, name):
        original = getattr(owner, name)

        def recorded(self, *args, **kwargs):
            timeline.entries.append(("render", f"{owner.__name__}.{name}"))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, recorded)

    listeners = [("begin", begin), ("commit", commit), ("rollback", rollback), ("before_cursor_execute", statement)]
    for name, listener in listeners:
        sqlalchemy_event.listen(engine, name, listener)
    template_rendered.connect(template, app)
    spy(Calendar, "to_ical")
    spy(Ticket, "png")
    yield timeline
    template_rendered.disconnect(template, app)
    for name, listener in listeners:
        sqlalchemy_event.remove(engine, name, listener)


def test_a_registration_renders_nothing_inside_its_write_transaction(client, make_event, timeline, smtp_server):
    event = make_event()
    timeline.entries.clear()
    response = client.post(
        f"/ko/events/{event.slug}/register",
        data={"full_name": "이서연", "email": "seoyeon@example.kr", "category": "student", "country": "KR", "consent": "y"},
    )
    assert response.status_code == 303
    assert any(kind == "write" for kind, _ in timeline.entries), "the registration was written"
    assert timeline.renders_inside_write_transactions() == []
    assert len(send_due().sent) == 1
    # The email, its calendar file and its ticket are rendered by the sender, after the registration committed.
    assert {"emails/registration.txt", "emails/registration.html", "Calendar.to_ical", "Ticket.png"} <= set(timeline.renders())
    (message,) = smtp_server.messages
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html", "text/calendar", "image/png"}
