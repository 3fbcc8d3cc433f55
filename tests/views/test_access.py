"""Every URL of the app, held against who may use it.

Each rule of app.url_map must be in the table below: a new route without an
entry fails this test. Columns: anonymous, the event's door staff, the
event's viewer, an organizer of another event, the event's organizer, an
administrator. Refusals are 404s, exactly like a missing object: a page a
role may not use does not exist for it.
"""

import pytest
from image_files import stored_image_name

from exchange.extensions import db
from exchange.models import OutboxMessage, OutboxStatus, Registration, RegistrationStatus
from exchange.services.invitations import InvitationDraft, invite
from exchange.services.registrations import register
from exchange.services.tickets import ticket_code

ROLES = ("anonymous", "door", "viewer", "other_organizer", "organizer", "admin")
PUBLIC = (200,) * 6
SIGNED_IN = (302, 200, 200, 200, 200, 200)  # any signed-in account
SIGNED_IN_POST = (302, 303, 303, 303, 303, 303)
NEW_EVENT = (302, 404, 404, 200, 200, 200)  # organizers and administrators
EVENT_EDIT_PAGE = (302, 404, 404, 404, 200, 200)  # the event's organizers and administrators
EVENT_ACTION = (302, 404, 404, 404, 303, 303)
EVENT_READ_PAGE = (302, 404, 200, 404, 200, 200)  # also the event's viewers
EVENT_EXPORT = (302, 404, 404, 404, 200, 200)  # viewers only when granted: test_roles.py
EVENT_EXPORT_START = (302, 404, 404, 404, 303, 303)  # to the export's progress page
NOBODYS_EXPORT = (302, 404, 404, 404, 404, 404)  # an export exists only for the account that asked: test_export_jobs.py
DOOR_PAGE = (302, 200, 404, 404, 200, 200)  # also the event's door staff
DOOR_ACTION = (302, 303, 404, 404, 303, 303)
ADMIN_PAGE = (302, 404, 404, 404, 404, 200)

TABLE = {
    # endpoint: (method, expected statuses per role, form data)
    "site.root": ("GET", (302,) * 6, None),
    "site.healthz": ("GET", PUBLIC, None),
    "site.media_file": ("GET", PUBLIC, None),
    "static": ("GET", PUBLIC, None),
    "static_versioned": ("GET", PUBLIC, None),
    "public.home": ("GET", PUBLIC, None),
    "public.event_list": ("GET", PUBLIC, None),
    "public.event_detail": ("GET", PUBLIC, None),
    "public.registration_create": ("GET", PUBLIC, None),
    "public.delegation_create": ("GET", PUBLIC, None),
    "public.privacy_notice": ("GET", PUBLIC, None),
    "feeds.programme_calendar": ("GET", PUBLIC, None),
    "feeds.event_calendar": ("GET", PUBLIC, None),
    "api.event_list": ("GET", PUBLIC, None),
    "api.event_detail": ("GET", PUBLIC, None),
    "api.openapi": ("GET", PUBLIC, None),
    "registrant.registration_manage": ("GET", PUBLIC, None),
    "registrant.registration_cancel": ("POST", PUBLIC, {}),  # without the ticked box: the page again
    "registrant.registration_calendar": ("GET", PUBLIC, None),
    "registrant.registration_confirm": ("POST", (409,) * 6, {}),  # an individual has no address to confirm
    "registrant.registration_data": ("GET", PUBLIC, None),
    "registrant.registration_erase": ("POST", PUBLIC, {}),  # without the ticked box: the page again
    "registrant.registration_substitute": ("POST", (409,) * 6, {}),  # an individual has no delegate to replace
    "registrant.delegate_resend": ("POST", (409,) * 6, {}),  # nor a delegate to email
    "delegate.delegate_page": ("GET", (404,) * 6, None),  # a contact's link opens no delegate's page
    "public.invitation": ("GET", PUBLIC, None),
    "auth.login": ("GET", (200, 302, 302, 302, 302, 302), None),
    "auth.login_two_factor": ("GET", (302,) * 6, None),  # without a password checked first: back to sign-in
    "auth.logout": ("POST", (302, 303, 303, 303, 303, 303), {}),
    "auth.account": ("GET", SIGNED_IN, None),
    "auth.two_factor_setup": ("GET", SIGNED_IN, None),
    "auth.sessions_end": ("POST", SIGNED_IN_POST, {}),
    "manage.dashboard": ("GET", SIGNED_IN, None),
    "manage.event_create": ("GET", NEW_EVENT, None),
    "manage.event_edit": ("GET", EVENT_EDIT_PAGE, None),
    "manage.event_duplicate": ("POST", EVENT_ACTION, {}),
    "manage.event_publish": ("POST", EVENT_ACTION, {}),
    "manage.event_cancel": ("GET", EVENT_EDIT_PAGE, None),
    "manage.registration_list": ("GET", EVENT_READ_PAGE, None),
    "manage.registration_bulk": ("POST", EVENT_ACTION, {"action": "resend", "selected": "REGISTRATION_ID"}),
    "manage.registration_detail": ("GET", EVENT_READ_PAGE, None),
    # No answer in this world: organizers get the 404 of a missing one; who may reveal is tests/views/test_answer_detail.py.
    "manage.answer_reveal": ("POST", (302, 404, 404, 404, 404, 404), {}),
    "manage.answer_file": ("GET", (302, 404, 404, 404, 404, 404), None),  # tests/views/test_answer_files.py has one
    "manage.registration_action": ("POST", EVENT_ACTION, {"message": ""}),
    "manage.delegate_decision": ("POST", EVENT_ACTION, {"message": ""}),
    "manage.checkin": ("GET", DOOR_PAGE, None),
    "manage.checkin_counts": ("GET", DOOR_PAGE, None),
    "manage.checkin_mark": ("POST", DOOR_ACTION, {"reference": "REFERENCE"}),
    "manage.ticket_checkin": ("GET", DOOR_PAGE, None),
    "manage.export_csv": ("GET", EVENT_EXPORT, None),
    "manage.export_xlsx": ("GET", EVENT_EXPORT_START, None),
    "manage.export_progress": ("GET", NOBODYS_EXPORT, None),
    "manage.export_download": ("GET", NOBODYS_EXPORT, None),
    "manage.sign_in_sheet_page": ("GET", EVENT_EXPORT, None),
    "manage.event_stats": ("GET", EVENT_READ_PAGE, None),
    "manage.event_invitations_page": ("GET", EVENT_EDIT_PAGE, None),
    "manage.invitation_action": ("POST", EVENT_ACTION, {}),  # resend: refused as too soon, and said so
    "manage.event_broadcast": ("GET", EVENT_EDIT_PAGE, None),
    "manage.event_questions": ("GET", EVENT_EDIT_PAGE, None),
    "manage.event_question_set": ("POST", EVENT_ACTION, {"set": "travel"}),
    "admin.user_list": ("GET", ADMIN_PAGE, None),
    "admin.user_create": ("GET", ADMIN_PAGE, None),
    "admin.user_edit": ("GET", ADMIN_PAGE, None),
    "admin.audit_log": ("GET", ADMIN_PAGE, None),
    "admin.outbox": ("GET", ADMIN_PAGE, None),
    "admin.outbox_retry": ("POST", (302, 404, 404, 404, 404, 303), {}),
}

# Variants of one endpoint whose form decides what happens: each is held against every role too.
# Cancel and decline act on their confirmed POST (the first one only asks), so the variants send that one.
VARIANTS = {
    "door undoes a check-in": ("manage.checkin_mark", DOOR_ACTION, {"reference": "REFERENCE", "undo": "1"}),
    **{
        f"bulk {action}": (
            "manage.registration_bulk",
            EVENT_ACTION,
            {"action": action, "selected": "REGISTRATION_ID", "confirmed": "1"},
        )
        for action in ("approve", "decline", "promote", "cancel", "resend")
    },
    "cancel one registration": ("manage.registration_action", EVENT_ACTION, {"message": "", "confirmed": "1"}),
}


def test_every_route_is_in_the_table(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(TABLE)


@pytest.fixture
def world(app, make_event, make_user, individual, happening_now):
    event = make_event(slug="yoga-day-2031", capacity=10, **happening_now)  # today, so its tickets check in
    elsewhere = make_event(slug="folk-cake-festival-2031")
    outcome = register(event.id, individual())
    registration = outcome.registration
    failed = OutboxMessage(kind="test", recipient="x@example.com", language="en", subject="s", template="broadcast", context={},
                           message_id="<m@x>", status=OutboxStatus.FAILED)  # fmt: skip
    db.session.add(failed)
    db.session.commit()
    users = {
        "anonymous": None,
        "door": make_user("door@example.org", role="door", events=[event]),
        "viewer": make_user("viewer@example.org", role="viewer", events=[event]),
        "other_organizer": make_user("other@example.org", events=[elsewhere]),
        "organizer": make_user("organizer@example.org", events=[event]),
        "admin": make_user("admin@example.org", role="admin"),
    }
    invited = invite(None, event.id, InvitationDraft("Consulate", "c@x.org", "en", 1, event.registration_closes_at))
    values = {
        "lang": "en", "slug": event.slug, "reference": registration.reference, "action": "resend", "token": outcome.token,
        "code": ticket_code(registration.ticket_key), "user_id": users["organizer"].id, "message_id": failed.id,
        "filename": "css/site.css", "job_id": "a" * 22, "fingerprint": "0123456789ab", "name": stored_image_name(app),
        "answer_id": 1, "decision": "approve", "key": "delegate-key", "invitation_id": invited.id,
        "invitation_code": invited.code,
    }  # fmt: skip
    return users, values, registration


def _url(app, endpoint, values, **overrides):
    from flask import url_for

    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: overrides.get(name, values[name]) for name in rule.arguments})


def _form(data, registration):
    if data is None:
        return None
    placeholders = {"REGISTRATION_ID": str(registration.id), "REFERENCE": registration.reference}
    return {key: placeholders.get(value, value) for key, value in data.items()}


@pytest.mark.parametrize("endpoint", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_each_route(app, client, login, world, endpoint, role):
    users, values, registration = world
    method, expected, data = TABLE[endpoint]
    login(users[role])
    response = client.open(_url(app, endpoint, values), method=method, data=_form(data, registration))
    body = response.get_data().decode(errors="replace")
    response.close()
    assert response.status_code == expected[ROLES.index(role)], body[:3000]
    if response.status_code == 302 and role == "anonymous" and endpoint.startswith(("manage.", "admin.", "auth.")):
        assert "/organizer/login" in response.headers["Location"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_each_variant(app, client, login, world, variant, role):
    users, values, registration = world
    endpoint, expected, data = VARIANTS[variant]
    action = "cancel" if variant == "cancel one registration" else values["action"]
    login(users[role])
    response = client.post(_url(app, endpoint, values, action=action), data=_form(data, registration))
    assert response.status_code == expected[ROLES.index(role)]
    db.session.expire_all()
    if response.status_code != 303 and endpoint != "manage.checkin_mark":
        assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED  # nothing changed


def test_another_organizers_event_looks_exactly_like_a_missing_one(client, login, world):
    users, values, _ = world
    login(users["other_organizer"])
    hidden = client.get(f"/organizer/events/{values['slug']}/registrations")
    missing = client.get("/organizer/events/no-such-event/registrations")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
