"""Manage links that expire and do not pile up; ticket codes that reveal nothing countable."""

from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer

from exchange.extensions import db
from exchange.models import ManageToken, Registration, utcnow
from exchange.services import registration_admin as actions
from exchange.services.audit import Actor
from exchange.services.mailer import send_due
from exchange.services.registrations import register
from exchange.services.tickets import read_ticket_code, ticket_code, tickets
from exchange.services.tokens import ManageLinkExpired, issue_manage_token, registration_for_token


def _ended(make_event, days_ago: float):
    ends_at = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    return make_event(
        starts_at=ends_at - timedelta(hours=3),
        registration_opens_at=ends_at - timedelta(days=30),
        registration_closes_at=utcnow() + timedelta(days=1),
    )


def test_only_the_newest_links_of_a_registration_work(app, smtp_server, make_event, make_user, individual):
    app.config["RESEND_INTERVAL_SECONDS"] = 0  # three resends in a row, as if minutes apart
    outcome = register(make_event().id, individual())  # one link for the browser, one in each email sent
    actor = Actor(user=make_user("organizer@example.org", events=[outcome.registration.event]))
    for _ in range(3):
        actions.resend(actor, outcome.registration.id)
    assert len(send_due().sent) == 4
    assert db.session.query(ManageToken).count() == 3
    assert registration_for_token(outcome.token) is None

    app.config["MANAGE_LINKS_KEPT"] = 1
    registration = db.session.get(Registration, outcome.registration.id)
    first, second = issue_manage_token(registration), issue_manage_token(registration)
    db.session.commit()
    assert registration_for_token(first) is None
    assert registration_for_token(second).id == registration.id


def test_links_expire_some_days_after_the_event(app, make_event, individual):
    recent = register(_ended(make_event, 59).id, individual()).token
    old = register(_ended(make_event, 61).id, individual()).token
    assert registration_for_token(recent) is not None
    with pytest.raises(ManageLinkExpired):
        registration_for_token(old)
    app.config["MANAGE_LINK_DAYS_AFTER_EVENT"] = 30
    with pytest.raises(ManageLinkExpired):
        registration_for_token(recent)
    assert registration_for_token("x" * 43) is None  # unknown stays unknown, expired or not


def test_ticket_codes_hold_no_ids_and_cannot_be_forged(app, make_event, individual, delegation):
    event = make_event()
    person = register(event.id, individual()).registration
    group = register(event.id, delegation(size=2)).registration
    group.status = group.status.CONFIRMED
    for delegate in group.delegates:  # as approve() leaves them
        delegate.status = delegate.status.APPROVED
    db.session.commit()
    codes = [ticket.url.rsplit("/", 1)[1] for ticket in tickets(person) + tickets(group)]
    assert [read_ticket_code(code) for code in codes] == [
        (person.id, None),
        (group.id, group.delegates[0].id),
        (group.id, group.delegates[1].id),
    ]
    assert len({code.split(".")[0] for code in codes}) == 3 and all(len(code.split(".")[0]) == 22 for code in codes)
    # The former format, [registration id, delegate id] signed with the same key, opens nothing now.
    former = URLSafeSerializer(app.config["SECRET_KEY"], salt="ticket").dumps([person.id, None])
    assert read_ticket_code(former) is None
    forged = ticket_code(person.ticket_key).split(".")[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert read_ticket_code(forged) is None
    assert read_ticket_code("\x00") is None and read_ticket_code("a" * 5000) is None
