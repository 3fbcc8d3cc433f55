"""Cancel and decline in the back office ask first and say who is emailed; the audit log names registrations."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.models import AuditEntry, Event, OutboxMessage, Registration, RegistrationStatus, utcnow
from exchange.services.registrations import register


@pytest.fixture
def organizer(make_user, make_event, happening_now):
    event = make_event(slug="yoga-day-2031", titles={"en": "Yoga Day", "vi": "Ngày Yoga"}, capacity=10, **happening_now)
    return make_user("organizer@example.org", events=[event]), event


def _mail_to(address: str) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == address)))


def _status(registration_id: int) -> RegistrationStatus:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status


def test_cancel_asks_first_names_who_is_emailed_and_only_the_confirmed_post_cancels(client, login, organizer, individual):
    user, event = organizer
    registration = register(event.id, individual(email="nguyen@example.org", full_name="Nguyễn Văn An")).registration
    mail_before = _mail_to("nguyen@example.org")
    login(user)
    url = f"/organizer/events/{event.slug}/registrations/{registration.reference}/cancel"

    asked = client.post(url, data={"message": "The hall is smaller."})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Cancel the registration of <bdi>Nguyễn Văn An</bdi>? An email will tell <bdi>nguyen@example.org</bdi>." in page
    assert "The hall is smaller." in page  # the message shown, and carried to the second POST
    assert 'name="confirmed" value="1"' in page and f'action="{url}"' in page
    assert _status(registration.id) == RegistrationStatus.CONFIRMED
    assert _mail_to("nguyen@example.org") == mail_before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0

    done = client.post(url, data={"message": "The hall is smaller.", "confirmed": "1"})
    assert done.status_code == 303
    assert _status(registration.id) == RegistrationStatus.CANCELLED
    assert len(_mail_to("nguyen@example.org")) == len(mail_before) + 1
    assert db.session.scalar(select(AuditEntry.details)) == {"reference": registration.reference, "note": "The hall is smaller."}


def test_declining_a_delegation_asks_first(client, login, organizer, delegation):
    user, event = organizer
    registration = register(event.id, delegation(size=2)).registration
    login(user)
    url = f"/organizer/events/{event.slug}/registrations/{registration.reference}/decline"
    page = client.post(url).get_data(as_text=True)
    assert "Decline the registration of <bdi>Consulate General of Korea</bdi>? An email will tell" in page
    assert _status(registration.id) == RegistrationStatus.PENDING
    assert client.post(url, data={"confirmed": "1"}).status_code == 303
    assert _status(registration.id) == RegistrationStatus.DECLINED


def test_the_bulk_form_starts_on_a_harmless_choice_and_applying_it_changes_nothing(client, login, organizer, delegation):
    user, event = organizer
    registration = register(event.id, delegation(size=1)).registration
    login(user)
    page = client.get(f"/organizer/events/{event.slug}/registrations").get_data(as_text=True)
    first_option = re.search(r'<select name="action"[^>]*>\s*<option value="([^"]*)"[^>]*>([^<]*)<', page)
    assert first_option.groups() == ("", "Choose an action…")
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/bulk", data={"action": "", "selected": [str(registration.id)]},
        follow_redirects=True,
    )  # fmt: skip
    assert "Choose an action first: nothing was changed." in response.get_data(as_text=True)
    assert _status(registration.id) == RegistrationStatus.PENDING
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_bulk_cancel_lists_whom_it_ends_and_emails_then_logs_one_entry_per_registration(client, login, organizer, individual):
    user, event = organizer
    people = [register(event.id, individual(email=f"p{n}@example.org", full_name=f"Person {n}")).registration for n in range(3)]
    ids = [str(person.id) for person in people[:2]]
    login(user)
    url = f"/organizer/events/{event.slug}/registrations/bulk?status=confirmed"
    page = client.post(url, data={"action": "cancel", "selected": ids}).get_data(as_text=True)
    assert "Cancel 2 registrations?" in page
    for person in people[:2]:
        assert person.reference in page and f"<bdi>{person.email}</bdi>" in page
    assert people[2].reference not in page
    assert [_status(person.id) for person in people] == [RegistrationStatus.CONFIRMED] * 3
    assert _mail_to("p0@example.org") == ["registration_confirmed"]

    response = client.post(url, data={"action": "cancel", "selected": ids, "confirmed": "1"})
    assert response.status_code == 303 and response.location.endswith("/registrations?status=confirmed")
    statuses = [_status(person.id) for person in people]
    assert statuses == [RegistrationStatus.CANCELLED, RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]
    assert _mail_to("p0@example.org") == ["registration_confirmed", "registration_cancelled"]
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.registration_id, AuditEntry.details)).all()
    assert sorted((e.registration_id, e.details["reference"]) for e in entries) == sorted((p.id, p.reference) for p in people[:2])
    assert {e.action for e in entries} == {"registration.cancelled"}


def test_an_id_of_another_events_registration_in_the_bulk_form_is_refused(client, login, organizer, make_event, individual):
    user, event = organizer
    other = make_event(slug="laos-60-years-2031")
    mine = register(event.id, individual(email="mine@example.org")).registration
    theirs = register(other.id, individual(email="theirs@example.org")).registration
    login(user)
    for confirmed in ("", "1"):
        response = client.post(
            f"/organizer/events/{event.slug}/registrations/bulk",
            data={"action": "cancel", "selected": [str(mine.id), str(theirs.id)], "confirmed": confirmed},
        )
        assert response.status_code == 404
        assert "theirs@example.org" not in response.get_data(as_text=True)
    assert _status(mine.id) == _status(theirs.id) == RegistrationStatus.CONFIRMED
    assert _mail_to("theirs@example.org") == ["registration_confirmed"]


def test_the_audit_log_names_the_registration_and_what_an_edit_changed(client, login, make_user, organizer, individual):
    user, event = organizer
    gone, kept = (register(event.id, individual(email=f"{n}@example.org")).registration for n in ("gone", "kept"))
    login(user)
    for registration in (gone, kept):
        url = f"/organizer/events/{event.slug}/registrations/{registration.reference}/cancel"
        client.post(url, data={"confirmed": "1"})
    db.session.delete(db.session.get(Registration, gone.id))
    db.session.commit()
    event_row = db.session.get(Event, event.id)
    event_row.registration_closes_at = utcnow() + timedelta(days=1)
    db.session.commit()
    form = {
        "slug": event.slug, "category": "culture", "timezone": "Asia/Ho_Chi_Minh", "starts_at": "2031-06-01T09:00",
        "ends_at": "2031-06-01T12:00", "venue_name": "Bến Ninh Kiều", "venue_address": "", "capacity": "12",
        "registration_opens_at": "2031-04-01T08:00", "registration_closes_at": "2031-05-30T23:00", "allows_individuals": "y",
        "max_delegation_size": "5", "content-en-title": "Yoga Day on the river", "content-vi-title": "Ngày Yoga",
    }  # fmt: skip
    assert client.post(f"/organizer/events/{event.slug}/edit", data=form).status_code == 303

    login(make_user("admin@example.org", role="admin"))
    page = client.get("/organizer/admin/audit").get_data(as_text=True)
    detail = f"/organizer/events/{event.slug}/registrations/{kept.reference}"
    assert f'<a href="{detail}"><code>{kept.reference}</code></a>' in page
    assert f"<code>{gone.reference}</code>" in page and f'{gone.reference}"' not in page  # named, no longer linked
    assert "<code>capacity</code>: <del><bdi>10</bdi></del> → <ins><bdi>12</bdi></ins>" in page
    assert "<code>title.en</code>: <del><bdi>Yoga Day</bdi></del> → <ins><bdi>Yoga Day on the river</bdi></ins>" in page


def test_the_dashboard_lists_the_next_event_first_then_later_ones_then_past_ones(client, login, make_user, make_event):
    now = utcnow()
    days = {"last-year": -300, "last-month": -30, "in-a-year": 365, "next-week": 7, "in-a-month": 30}
    events = [
        make_event(
            slug=slug,
            titles={"en": slug},
            starts_at=now + timedelta(days=offset),
            registration_opens_at=now - timedelta(days=400),
        )
        for slug, offset in days.items()
    ]
    login(make_user("organizer@example.org", events=events))
    page = client.get("/organizer/").get_data(as_text=True)
    listed = re.findall(r'<span class="muted">([a-z-]+)</span>', page)
    assert listed == ["next-week", "in-a-month", "in-a-year", "last-month", "last-year"]
