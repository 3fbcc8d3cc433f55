"""Headers that keep signed-in pages and attendee downloads out of caches, and HTTPS sticky."""

import pytest

from exchange.services.registrations import register

BACK_OFFICE = ("manage", "admin", "auth")


@pytest.fixture
def back_office_urls(app, make_user, make_event, individual):
    """(method, URL) for every back-office, admin and sign-in route, with real arguments."""
    event = make_event(slug="yoga-day-2031")
    registration = register(event.id, individual()).registration
    admin = make_user("admin@example.org", role="admin")
    values = {"slug": event.slug, "reference": registration.reference, "action": "approve", "decision": "approve", "code": "x",
              "user_id": admin.id, "message_id": 1, "job_id": "a" * 22, "answer_id": 1, "invitation_id": 1}  # fmt: skip
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in BACK_OFFICE:
            path = rule.build({name: values[name] for name in rule.arguments})[1]
            urls.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return admin, urls


def test_every_back_office_response_is_no_store_signed_in_or_not(client, login, back_office_urls):
    admin, urls = back_office_urls
    assert len(urls) > 30
    for signed_in in (False, True):
        if signed_in:
            login(admin)
        for method, path in urls:
            if path == "/organizer/logout":
                continue  # it would end the session this loop needs
            response = client.open(path, method=method)
            assert response.headers.get("Cache-Control") == "no-store", (signed_in, method, path, response.status_code)
            response.close()


def test_exports_and_the_sign_in_sheet_are_no_store(client, login, back_office_urls, xlsx_export):
    admin, _ = back_office_urls
    login(admin)
    for name in ("export.csv", "sign-in-sheet"):
        response = client.get(f"/organizer/events/yoga-day-2031/{name}")
        assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store"), name
        response.close()
    progress, download = xlsx_export("/organizer/events/yoga-day-2031/export.xlsx")
    assert (download.status_code, download.headers["Cache-Control"]) == (200, "no-store")
    download.close()
    assert client.get(progress).headers["Cache-Control"] == "no-store"


def test_public_pages_stay_cacheable(client, make_event):
    make_event(slug="yoga-day-2031")
    client.set_cookie("lang", "en")
    page = client.get("/en/events/yoga-day-2031/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "public, no-cache"


def test_hsts_when_the_site_is_served_over_https(app, client):
    assert app.config["BASE_URL"].startswith("https://")
    for path in ("/en/", "/organizer/login", "/api/v1/events", "/nowhere"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000", path


@pytest.mark.parametrize("settings", [{"BASE_URL": "http://127.0.0.1:5000"}, {"HSTS_MAX_AGE": 0}])
def test_no_hsts_over_plain_http_or_when_switched_off(app, client, settings):
    app.config.update(settings)
    assert "Strict-Transport-Security" not in client.get("/en/").headers
