"""The registrant's own data: download, erase, and links that expire with a clear page."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Event, Registration, utcnow
from exchange.services.registrations import cancel, register


def _past_event(make_event, days_ago: int = 10):
    starts_at = utcnow() - timedelta(days=days_ago)
    return make_event(
        starts_at=starts_at,
        registration_opens_at=starts_at - timedelta(days=60),
        registration_closes_at=utcnow() + timedelta(days=1),
    )


def test_the_manage_page_offers_the_download_and_it_holds_the_data(app, client, make_event, individual):
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-01"
    outcome = register(make_event().id, individual(email="lan@example.com"))
    page = client.get(f"/en/r/{outcome.token}").get_data(as_text=True)
    assert f'href="/en/r/{outcome.token}/data.json"' in page
    assert "Erase my personal data" not in page  # an active registration for an event to come
    response = client.get(f"/en/r/{outcome.token}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{outcome.registration.reference}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert (data["email"], data["full_name"]) == ("lan@example.com", "Nguyễn Thị Lan")
    assert data["consent"]["privacy_notice_version"] == "2027-01"
    assert "Version 2027-01 of this notice." in client.get("/en/privacy").get_data(as_text=True)


def test_an_active_registration_for_an_event_to_come_cannot_be_erased(client, make_event, individual):
    outcome = register(make_event().id, individual())
    response = client.post(f"/en/r/{outcome.token}/erase", data={"erase-confirm": "y"})
    assert response.status_code == 409
    assert "Cancel your registration first, or wait until the event is over." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, outcome.registration.id).email == "lan@example.com"


def test_erasing_needs_the_ticked_box_then_the_link_stops_working(client, make_event, individual):
    outcome = register(make_event().id, individual())
    cancel(outcome.registration.id)
    page = client.get(f"/en/r/{outcome.token}").get_data(as_text=True)
    assert f'action="/en/r/{outcome.token}/erase"' in page and 'id="erase-confirm"' in page
    unticked = client.post(f"/en/r/{outcome.token}/erase", data={})
    assert unticked.status_code == 200
    assert "Tick the box to confirm that you want your data erased." in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, outcome.registration.id).anonymised_at is None

    erased = client.post(f"/en/r/{outcome.token}/erase", data={"erase-confirm": "y"})
    assert erased.status_code == 303 and erased.headers["Location"] == "/en/"
    assert "Your personal data is erased." in client.get("/en/").get_data(as_text=True)
    assert client.get(f"/en/r/{outcome.token}").status_code == 404
    assert client.get(f"/en/r/{outcome.token}/data.json").status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, outcome.registration.id).email == ""


def test_erasing_checks_the_csrf_token(app, make_event, individual):
    app.config["WTF_CSRF_ENABLED"] = True
    outcome = register(_past_event(make_event).id, individual())
    client = app.test_client()
    refused = client.post(f"/en/r/{outcome.token}/erase", data={"erase-confirm": "y"})
    assert refused.status_code == 200 and "This form was open for too long" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, outcome.registration.id).anonymised_at is None
    page = client.get(f"/en/r/{outcome.token}").get_data(as_text=True)
    csrf = page.split('name="erase-csrf_token" type="hidden" value="')[1].split('"')[0]
    done = client.post(f"/en/r/{outcome.token}/erase", data={"erase-csrf_token": csrf, "erase-confirm": "y"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, outcome.registration.id).anonymised_at is not None


def test_a_registration_of_an_event_that_is_over_can_be_erased_and_keeps_its_seats(client, make_event, individual):
    event = _past_event(make_event)
    outcome = register(event.id, individual())
    assert "Erase my personal data" in client.get(f"/en/r/{outcome.token}").get_data(as_text=True)
    assert client.post(f"/en/r/{outcome.token}/erase", data={"erase-confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).seats_taken == 1
    assert db.session.scalar(select(Registration.status).where(Registration.id == outcome.registration.id)).value == "confirmed"


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("GET", "/data.json"), ("GET", "/calendar.ics"), ("POST", "/cancel"), ("POST", "/erase")]
)
def test_an_expired_link_gets_a_page_that_says_so(client, make_event, individual, method, suffix):
    outcome = register(_past_event(make_event, days_ago=61).id, individual())
    response = client.open(f"/en/r/{outcome.token}{suffix}", method=method, data={"erase-confirm": "y", "confirm": "y"})
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "<h1>This link has expired.</h1>" in page and "contact the organizers" in page
    assert response.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.get(Registration, outcome.registration.id).email == "lan@example.com"


def test_the_expired_page_is_translated(client, make_event, individual):
    outcome = register(_past_event(make_event, days_ago=61).id, individual())
    page = client.get(f"/vi/r/{outcome.token}").get_data(as_text=True)
    assert "This link has expired." not in page and '<html lang="vi"' in page
