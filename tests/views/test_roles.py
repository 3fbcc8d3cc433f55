"""Door staff and viewers: what their pages show and what they cannot do (the access table has every route)."""

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Registration, RegistrationStatus, User, UserRole
from exchange.services.audit import Actor
from exchange.services.registration_admin import perform
from exchange.services.registrations import register

EMAIL, PHONE = "lan.private@example.com", "+84 912 345 678"


@pytest.fixture
def event_with_registration(make_event, make_user, individual, delegation, happening_now):
    """An event with a confirmed individual (email and phone given) and a confirmed delegation."""
    event = make_event(slug="yoga-day-2031", capacity=20, **happening_now)  # its check-in day
    registration = register(event.id, individual(email=EMAIL, phone=PHONE, organization="Đại học Cần Thơ")).registration
    delegation_id = register(event.id, delegation(size=2)).registration.id
    perform(Actor(user=make_user("approver@example.org")), "approve", delegation_id, "")
    return event, registration


def test_door_staff_see_names_and_statuses_but_no_contact_details(client, login, make_user, event_with_registration):
    event, registration = event_with_registration
    login(make_user("door@example.org", role="door", events=[event]))
    dashboard = client.get("/organizer/").get_data(as_text=True)
    assert "/organizer/events/yoga-day-2031/checkin" in dashboard and "/registrations" not in dashboard
    assert "/organizer/events/new" not in dashboard
    door_page = client.get("/organizer/events/yoga-day-2031/checkin").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in door_page and "Delegate 1" in door_page and registration.reference in door_page
    searched = client.get("/organizer/events/yoga-day-2031/checkin?q=lan").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in searched
    for body in (door_page, searched):
        assert EMAIL not in body and PHONE not in body and "consulate@example.org" not in body
        assert "/export" not in body and "/registrations" not in body and "/edit" not in body


def test_door_staff_check_in_and_undo(client, login, make_user, event_with_registration):
    event, registration = event_with_registration
    login(make_user("door@example.org", role="door", events=[event]))
    form = {"reference": registration.reference}
    assert client.post("/organizer/events/yoga-day-2031/checkin", data=form).status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is not None
    assert client.post("/organizer/events/yoga-day-2031/checkin", data=form | {"undo": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_door_staff_of_another_event_cannot_check_in_here(client, login, make_user, make_event, event_with_registration):
    event, registration = event_with_registration
    login(make_user("door@example.org", role="door", events=[make_event(slug="another-2031")]))
    response = client.post("/organizer/events/yoga-day-2031/checkin", data={"reference": registration.reference})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_viewers_read_without_any_action(client, login, make_user, event_with_registration):
    event, registration = event_with_registration
    login(make_user("viewer@example.org", role="viewer", events=[event]))
    listing = client.get("/organizer/events/yoga-day-2031/registrations").get_data(as_text=True)
    assert registration.reference in listing
    assert 'name="selected"' not in listing and "/registrations/bulk" not in listing and "export.csv" not in listing
    detail = client.get(f"/organizer/events/yoga-day-2031/registrations/{registration.reference}").get_data(as_text=True)
    assert EMAIL in detail and "/approve" not in detail and "/cancel" not in detail and "/resend" not in detail
    assert client.get("/organizer/events/yoga-day-2031/stats").status_code == 200
    refused = client.post(f"/organizer/events/yoga-day-2031/registrations/{registration.reference}/cancel", data={})
    assert refused.status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED


def test_viewers_export_only_when_granted(client, login, make_user, event_with_registration):
    event, _ = event_with_registration
    viewer = make_user("viewer@example.org", role="viewer", events=[event])
    login(viewer)
    assert client.get("/organizer/events/yoga-day-2031/export.csv").status_code == 404
    admin = make_user("admin@example.org", role="admin")
    login(admin)
    grant = {"email": viewer.email, "role": "viewer", "active": "y", "events": [str(event.id)], "may_export": "y"}
    response = client.post(f"/organizer/admin/users/{viewer.id}", data=grant)
    assert response.status_code == 303
    login(db.session.get(User, viewer.id))
    assert "export.csv" in client.get("/organizer/events/yoga-day-2031/registrations").get_data(as_text=True)
    export = client.get("/organizer/events/yoga-day-2031/export.csv")
    assert export.status_code == 200 and EMAIL in export.get_data(as_text=True)
    assert client.get("/organizer/events/yoga-day-2031/checkin").status_code == 404  # still no door actions


def test_administrators_open_door_and_viewer_accounts(client, login, make_user, runner, event_with_registration):
    event, _ = event_with_registration
    login(make_user("admin@example.org", role="admin"))
    form = client.get("/organizer/admin/users/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for value, title in (("admin", "Administrator"), ("organizer", "Organizer"), ("door", "Door staff"), ("viewer", "Viewer")):
        assert f'<option value="{value}">{title}</option>' in form
    new = {"email": "door@example.org", "password": "a river market at dawn", "role": "door", "active": "y",
           "events": [str(event.id)]}  # fmt: skip
    response = client.post("/organizer/admin/users/new", data=new)
    assert response.status_code == 303
    door = db.session.scalar(select(User).where(User.email == "door@example.org"))
    assert door.role == UserRole.DOOR and [e.slug for e in door.events] == ["yoga-day-2031"]
    cli = runner.invoke(
        args=["create-user", "viewer@example.org", "--role", "viewer", "--password-stdin"], input="a river market at dawn\n"
    )
    assert cli.exit_code == 0 and "Created viewer viewer@example.org." in cli.output


def test_every_back_office_endpoint_has_a_capability(app):
    from exchange.manage.permissions import ENDPOINT_CAPABILITIES

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("manage.")}
    assert endpoints == set(ENDPOINT_CAPABILITIES)
