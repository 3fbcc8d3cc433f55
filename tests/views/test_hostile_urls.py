"""No URL, query string or form value makes the app answer 5xx.

Every rule of app.url_map is requested with each path argument replaced by
hostile text (NUL, control characters, numbers past 64 bits, other
scripts, an encoded lone surrogate, invalid UTF-8, very long values) and
with hostile query strings (url_for's reserved names, unknown filter
values, huge page numbers), as an anonymous visitor, as the event's
organizer and as an administrator. POST rules also get the hostile values
as form fields, and each page with a form is posted as a browser would send
it with one field hostile at a time (so the value gets past the other
fields' validation to the service). Run it on PostgreSQL too: that is where
NUL used to fail.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from flask import url_for
from page_forms import page_form
from question_rows import SIZES, add_question

from exchange.models import QuestionType
from exchange.services.export_jobs import start_xlsx_export
from exchange.services.invitations import InvitationDraft, invite
from exchange.services.registrations import register
from exchange.services.tickets import ticket_code

MARKER = "987654321"  # digits, so that <int:…> arguments accept it too

# Already percent-encoded, so that bytes no client library would send (NUL,
# invalid UTF-8, a UTF-8-encoded surrogate) reach the app as they are.
HOSTILE = [
    "%00",
    "a%00b",
    "%01%1F%7F",
    "%0D%0ASet-Cookie:x=1",
    "9" * 25,
    "9223372036854775808",  # 2**63
    "-1",
    "%EF%BC%91%EF%BC%92",  # fullwidth digits
    "%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
    "%ED%A0%80",  # a lone surrogate, encoded
    "%FF%FE",
    "no-such-value",
    quote("ສະບາຍດີ ខ្មែរ 한국어 日本語 ไทย Tiếng Việt العربية עברית 😀 \u202e <script>alert(1)</script>"),
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 4000,
]

# Keys that url_for reserves, names of URL arguments, and every filter the views read.
QUERY_KEYS = [
    "_anchor", "_method", "_scheme", "_external", "endpoint", "values", "lang", "slug", "token", "reference", "code",
    "filename", "fingerprint", "user_id", "message_id", "answer_id", "action", "page", "q", "status", "kind", "country",
    "category", "month", "audience", "next", "format", "key", "invitation", "invitation_id", "invitation_code",
]  # fmt: skip

FORM_KEYS = [
    "action", "selected", "reference", "delegate", "undo", "q", "message", "preview_lang", "email", "password", "next",
    "full_name", "language", "fallback", "role", "events", "csrf_token",
]  # fmt: skip

ROLES = ("anonymous", "organizer", "admin")
# The event's organizer reaches every event page an administrator does; only these differ for an administrator.
ADMIN_ONLY = ("admin.", "auth.")


@pytest.fixture
def world(app, make_event, make_user, individual, delegation):
    event = make_event(slug="yoga-day-2031", capacity=20)
    outcome = register(event.id, individual())
    register(event.id, delegation(size=2))
    # One question of every type, asked of everyone, so the forms' q_ fields get the hostile values too.
    for position, kind in enumerate(QuestionType):
        choices = SIZES if kind.has_choices else []
        add_question(event, kind.value, kind, ["individual", "contact", "delegate"], position, choices=choices,
                     **({"min_value": 1, "max_value": 9} if kind is QuestionType.NUMBER else {}))  # fmt: skip
    users = {
        "anonymous": None,
        "organizer": make_user("organizer@example.org", events=[event]),
        "admin": make_user("admin@example.org", role="admin"),
    }
    invited = invite(None, event.id, InvitationDraft("Consulate", "c@x.org", "en", 1, event.registration_closes_at))
    values = {
        "lang": "en", "slug": event.slug, "reference": outcome.registration.reference, "action": "resend", "decision": "approve",
        "token": outcome.token, "code": ticket_code(outcome.registration.ticket_key), "user_id": users["organizer"].id,
        "message_id": 1, "answer_id": 1, "filename": "css/site.css", "fingerprint": "0123456789ab",
        "name": "0123456789abcdef0123456789abcdef-480.webp", "key": "delegate-key", "invitation_id": invited.id,
        "invitation_code": invited.code,
        "job_id": start_xlsx_export(users["organizer"], event, None, "en").id,
    }  # fmt: skip
    return users, values


def _extremes_like(value: str) -> list[str]:
    """Values at the edge of what a number or date field accepts, for a field holding `value`."""
    if value.isdigit():
        return ["9" * 25, "-1", "2147483648"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
        return ["0001-01-01T00%3A00", "9999-12-31T23%3A59", "2031-02-30T25%3A61"]
    return []


def _page_form(client, url: str) -> dict[str, str]:
    """The page's form as a browser would send it, one value per field (the last, as a dict of the pairs keeps)."""
    return {name: values[-1] for name, values in page_form(client, url).items() if values}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)


def _url(app, rule, values: dict, hostile_argument: str | None = None) -> str:
    """The rule's URL on valid values, with one argument written as MARKER (replaced by the caller)."""
    arguments = {name: (MARKER if name == hostile_argument else values[name]) for name in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **arguments)


def _requests(app, client, rule, values: dict):
    """(method, URL, raw form body or None) for every hostile variant of `rule`."""
    methods = [method for method in ("GET", "POST") if method in rule.methods]
    base = _url(app, rule, values)
    if methods == ["GET", "POST"]:
        # The page's own form, as a browser would send it, with one field hostile at a time: so a
        # hostile value reaches the service behind otherwise valid input.
        form = _page_form(client, base)
        for index, name in enumerate(sorted(form)):
            valid = urlencode({key: value for key, value in form.items() if key != name})
            for value in [HOSTILE[index % len(HOSTILE)], *_extremes_like(form[name])]:
                yield "POST", base, f"{valid}&{quote(name)}={value}"
    for method in methods:
        body = "&".join(f"{key}={MARKER}" for key in FORM_KEYS) if method == "POST" else None
        for argument in sorted(rule.arguments):
            template = _url(app, rule, values, argument)
            for value in HOSTILE:
                yield method, template.replace(MARKER, value), None
        for value in HOSTILE:
            yield method, base + "?" + "&".join(f"{key}={value}" for key in QUERY_KEYS), None
            if body is not None:
                yield method, base, body.replace(MARKER, value)
        # One key at a time too, so that a key the view refuses early cannot hide another's failure.
        for index, key in enumerate(QUERY_KEYS):
            yield method, f"{base}?{key}={HOSTILE[index % len(HOSTILE)]}", None


def _walks() -> list[tuple[str, str]]:
    """(endpoint, role) for every rule of the app, read when the tests are collected."""
    from exchange import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    endpoints = sorted({rule.endpoint for rule in app.url_map.iter_rules()})
    return [(endpoint, role) for endpoint in endpoints for role in ROLES if role != "admin" or endpoint.startswith(ADMIN_ONLY)]


@pytest.mark.parametrize(("endpoint", "role"), _walks())
def test_no_hostile_request_gets_a_server_error(app, client, login, world, endpoint, role):
    users, values = world
    app.config["PROPAGATE_EXCEPTIONS"] = False  # let the 500 handler answer, so that one walk lists every failure
    login(users[role])
    failures = []
    for rule in (rule for rule in _rules(app) if rule.endpoint == endpoint):
        for method, url, body in _requests(app, client, rule, values):
            response = client.open(
                url, method=method, data=body, content_type="application/x-www-form-urlencoded" if body else None
            )
            if response.status_code >= 500:
                failures.append(f"{method} {url[:200]} {(body or '')[-100:]} -> {response.status_code}")
            response.close()
            if role != "anonymous" and endpoint == "auth.logout":
                login(users[role])
    assert not failures, "\n".join(failures[:20])


def test_switcher_links_ignore_url_for_names_in_the_query(client, make_event):
    event = make_event(slug="yoga-day-2031")
    response = client.get(f"/en/events/{event.slug}/?_external=1&_anchor=x&page=2", headers={"Host": "evil.example"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/ko/events/yoga-day-2031/?_external=1&amp;_anchor=x&amp;page=2"' in page
    assert "evil.example" not in page


@pytest.mark.parametrize(
    "url", ["/en/events/%00/", "/api/v1/events/%00", "/en/r/%00", "/en/events/a%01b/register", "/organizer/tickets/%00"]
)
def test_control_characters_in_a_path_are_not_found(client, url):
    assert client.get(url).status_code == 404


def test_query_values_lose_control_characters(client, login, make_user, make_event, individual):
    event = make_event(slug="yoga-day-2031")
    register(event.id, individual(full_name="Nguyễn Thị Lan"))
    login(make_user("organizer@example.org", events=[event]))
    response = client.get(f"/organizer/events/{event.slug}/registrations?q=Lan%00")
    assert response.status_code == 200
    assert "Nguyễn Thị Lan" in response.get_data(as_text=True)


def test_a_huge_page_number_shows_an_empty_page(client, make_event):
    make_event(slug="yoga-day-2031")
    assert client.get("/en/events/?page=" + "9" * 30).status_code == 200


def test_an_unknown_category_filter_is_ignored(client, login, make_user, make_event, individual):
    event = make_event(slug="yoga-day-2031")
    register(event.id, individual())
    login(make_user("organizer@example.org", events=[event]))
    response = client.get(f"/organizer/events/{event.slug}/registrations?category=astronaut")
    assert response.status_code == 200
    assert "Nguyễn Thị Lan" in response.get_data(as_text=True)


def test_bulk_action_keeps_the_list_filters_and_ignores_the_rest(client, login, make_user, make_event, individual):
    event = make_event(slug="yoga-day-2031")
    registration = register(event.id, individual()).registration
    login(make_user("organizer@example.org", events=[event]))
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/bulk?slug=other&_anchor=x&status=confirmed",
        data={"action": "resend", "selected": [str(registration.id), "9" * 40, "²"]},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/organizer/events/{event.slug}/registrations?status=confirmed"
    assert "Done for 1 registration." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_event_date_far_from_now_is_refused_with_a_message(client, login, make_user, make_event):
    event = make_event(slug="yoga-day-2031")
    user = make_user("organizer@example.org", events=[event])
    login(user)
    form = _page_form(client, f"/organizer/events/{event.slug}/edit")
    response = client.post(f"/organizer/events/{event.slug}/edit", data=form | {"starts_at": "0001-01-01T00:00"})
    assert response.status_code == 200
    assert "Enter a date between the years 2000 and 2200." in response.get_data(as_text=True)


def test_an_unknown_event_in_an_account_form_is_refused(client, login, make_user, make_event):
    event = make_event(slug="yoga-day-2031")
    organizer = make_user("organizer@example.org", events=[event])
    login(make_user("admin@example.org", role="admin"))
    form = _page_form(client, f"/organizer/admin/users/{organizer.id}")
    response = client.post(f"/organizer/admin/users/{organizer.id}", data=form | {"events": ["9" * 25]})
    assert response.status_code == 200
    assert "Please choose one of the options in the list." in response.get_data(as_text=True)
