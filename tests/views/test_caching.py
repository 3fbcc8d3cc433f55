"""The page cache: what it keeps, when it lets go, and the HTTP around it (exchange/caching.py)."""

import gzip
import re
import secrets
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from exchange import create_app
from exchange.database import write_transaction
from exchange.extensions import cache, db
from exchange.models import Event, EventStatus, utcnow
from exchange.services import registration_admin
from exchange.services.audit import Actor
from exchange.services.event_admin import cancel_event, publish
from exchange.services.registrations import cancel, register
from exchange.services.seats import release_seats, take_seats
from exchange.services.transitions import lock_event

PUBLIC_URLS = ("/en/", "/en/events/", "/en/events/{slug}/", "/api/v1/events", "/events.ics?lang=en")


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _seats(client, slug):
    return re.search(r"(\d+) seats? left", _page(client, f"/en/events/{slug}/")).group(1)


def _behind_the_orms_back(event_id, **values):
    """Change an event with a statement on a connection of its own, which no session hook sees."""
    with db.engine.begin() as connection:
        connection.execute(update(Event).where(Event.id == event_id).values(**values))
    db.session.rollback()  # so that a page rendered afresh reads the new row, not the session's copy


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org"), ip_address="203.0.113.7")


def test_pages_are_served_from_the_cache(client, make_event):
    event = make_event(slug="yoga-day-2031", capacity=40)
    assert _seats(client, event.slug) == "40"
    _behind_the_orms_back(event.id, capacity=30)
    assert _seats(client, event.slug) == "40"  # the database changed unseen: the cached page is what answers


def test_every_registration_and_cancellation_shows_at_once(client, make_event, individual, delegation):
    event = make_event(slug="yoga-day-2031", capacity=40)
    assert _seats(client, event.slug) == "40"
    first = register(event.id, individual()).registration
    assert _seats(client, event.slug) == "39"
    register(event.id, delegation(size=3))
    assert _seats(client, event.slug) == "36"
    cancel(first.id)
    assert _seats(client, event.slug) == "37"


def test_promotion_from_the_waiting_list_shows_at_once(client, make_event, individual, actor):
    event = make_event(slug="yoga-day-2031", capacity=1)
    holder = register(event.id, individual(email="a@example.com")).registration
    waiting = register(event.id, individual(email="b@example.com")).registration
    assert "Fully booked" in _page(client, f"/en/events/{event.slug}/")
    cancel(holder.id)  # the seat goes to the first on the waiting list
    assert "Fully booked" in _page(client, f"/en/events/{event.slug}/")
    registration_admin.cancel_by_organizer(actor, waiting.id)
    assert _seats(client, event.slug) == "1"


def test_seats_taken_by_a_statement_alone_show_at_once(client, make_event):
    """The seat allocator's conditional UPDATE goes through no flush; the cache still lets go."""
    event = make_event(slug="yoga-day-2031", capacity=40)
    assert _seats(client, event.slug) == "40"
    with write_transaction():
        assert take_seats(lock_event(event.id), 2)
    assert _seats(client, event.slug) == "38"
    with write_transaction():
        release_seats(lock_event(event.id), 2)
    assert _seats(client, event.slug) == "40"


def test_an_edited_event_shows_on_every_public_url(client, make_event):
    event = make_event(slug="yoga-day-2031", titles={"en": "Yoga Day"})
    pages = {path: _page(client, path.format(slug=event.slug)) for path in PUBLIC_URLS}
    assert all("Yoga Day" in page for page in pages.values())
    content = event.content("en")
    content.title, content.summary, content.description = "Lantern Night", "Lanterns", "Lanterns."
    db.session.commit()
    for path in PUBLIC_URLS:
        page = _page(client, path.format(slug=event.slug))
        assert "Lantern Night" in page and "Yoga Day" not in page, path


def test_publishing_and_cancelling_show_at_once(client, make_event, actor):
    draft = make_event(slug="yoga-day-2031", status=EventStatus.DRAFT, titles={"en": "Yoga Day"})
    assert client.get("/en/events/yoga-day-2031/").status_code == 404
    assert "Yoga Day" not in _page(client, "/en/events/")
    publish(actor, draft.id)
    assert "Yoga Day" in _page(client, "/en/events/")
    assert "seats left" in _page(client, "/en/events/yoga-day-2031/")
    cancel_event(actor, draft.id)
    assert "seats left" not in _page(client, "/en/events/yoga-day-2031/")
    assert client.get("/api/v1/events").get_json()["events"][0]["status"] == "cancelled"


def test_a_rolled_back_change_keeps_the_cache(client, make_event):
    event = make_event(slug="yoga-day-2031", capacity=40)
    assert _seats(client, event.slug) == "40"
    _behind_the_orms_back(event.id, capacity=30)
    event.venue_name = "Somewhere else"
    db.session.flush()
    db.session.rollback()
    assert _seats(client, event.slug) == "40"


def test_registration_opens_and_closes_on_time(client, make_event):
    now = utcnow()
    event = make_event(slug="yoga-day-2031", registration_opens_at=now + timedelta(seconds=2),
                       registration_closes_at=now + timedelta(seconds=4))  # fmt: skip
    page = lambda: _page(client, f"/en/events/{event.slug}/")  # noqa: E731
    assert "Registration opens on" in page()
    time.sleep(max(0.0, (event.registration_opens_at - utcnow()).total_seconds()) + 0.05)
    assert "50 seats left" in page()
    time.sleep(max(0.0, (event.registration_closes_at - utcnow()).total_seconds()) + 0.05)
    assert "Registration is closed." in page()


@pytest.mark.parametrize("backend", ["FileSystemCache", "RedisCache"])
def test_workers_sharing_a_cache_see_each_others_changes(config_for, database_url, tmp_path, make_event, individual, backend):
    """Two apps (as gunicorn's workers) on the default cache or Redis: a registration in one shows in the other."""
    config = config_for(database_url) | {
        "CACHE_TYPE": backend, "CACHE_DIR": str(tmp_path), "CACHE_REDIS_URL": "redis://127.0.0.1:6379/15",
        "CACHE_KEY_PREFIX": f"test-{secrets.token_hex(6)}:",  # each run apart from any other in the same Redis
    }  # fmt: skip
    first, second = create_app(config), create_app(config)
    event = make_event(slug="yoga-day-2031", capacity=40)
    slug = event.slug
    assert _seats(second.test_client(), slug) == "40"
    with first.app_context():
        register(event.id, individual())
        db.session.remove()
    assert _seats(second.test_client(), slug) == "39"
    for worker in (first, second):
        with worker.app_context():
            cache.clear()  # this run's keys only (its prefix)
            db.engine.dispose()


def test_signed_in_visitors_get_fresh_pages(client, login, make_user, make_event):
    event = make_event(slug="yoga-day-2031", capacity=40)
    assert _seats(client, event.slug) == "40"
    _behind_the_orms_back(event.id, capacity=30)
    login(make_user("organizer@example.org"))
    assert _seats(client, event.slug) == "30"


@pytest.mark.parametrize("path", PUBLIC_URLS)
def test_conditional_get_answers_304_plain_and_compressed(client, make_event, path):
    event = make_event(slug="yoga-day-2031")
    url = path.format(slug=event.slug)
    for encoding in ("identity", "gzip"):
        first = client.get(url, headers={"Accept-Encoding": encoding})
        assert first.status_code == 200 and first.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]})
        assert (again.status_code, again.get_data()) == (304, b""), (url, encoding)
    stale = client.get(url, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200


def test_compressed_when_the_client_asks(client, make_event):
    make_event(slug="yoga-day-2031")
    plain = client.get("/en/events/").get_data()
    packed = client.get("/en/events/", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain
    assert "Content-Encoding" not in client.get("/en/events/").headers


@pytest.mark.parametrize("path", PUBLIC_URLS)
def test_anonymous_cacheable_responses_set_no_cookie_and_do_not_vary_on_it(client, make_event, path):
    event = make_event(slug="yoga-day-2031")
    client.set_cookie("lang", "en")  # the language cookie a visitor already has
    response = client.get(path.format(slug=event.slug))
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers.get("Vary", "").lower()


def test_the_first_visit_sets_the_language_cookie_on_a_private_response(client, make_event):
    make_event(slug="yoga-day-2031")
    response = client.get("/ko/events/")
    assert "lang=ko" in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_programme_feed_without_a_language_varies_on_what_chose_it(client, make_event):
    make_event(slug="yoga-day-2031", titles={"en": "Yoga Day", "ko": "요가의 날"})
    korean = client.get("/events.ics", headers={"Accept-Language": "ko"})
    english = client.get("/events.ics", headers={"Accept-Language": "en"})
    assert "요가의 날" in korean.get_data(as_text=True) and "Yoga Day" in english.get_data(as_text=True)
    assert {"Cookie", "Accept-Language"} <= set(korean.headers["Vary"].replace(" ", "").split(","))


def test_forms_stay_uncached(client, make_event):
    event = make_event(slug="yoga-day-2031")
    response = client.get(f"/en/events/{event.slug}/register")
    assert response.status_code == 200 and "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")


def test_static_files_have_fingerprinted_urls_kept_a_year(client):
    page = _page(client, "/en/")
    url = re.search(r'href="(/static/v/[0-9a-f]{12}/css/site\.css)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200 and b"{" in response.get_data()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "cookie" not in response.headers.get("Vary", "").lower()
    response.close()
    old = client.get("/static/v/000000000000/css/site.css")
    assert old.status_code == 200 and "immutable" not in old.headers.get("Cache-Control", "")
    old.close()
    assert client.get("/static/v/000000000000/css/nothing.css").status_code == 404


@pytest.fixture
def flask_requests(app):
    """How many requests reached Flask (the front answers the others)."""
    from flask import request_started

    seen: list[str] = []

    def note(_sender, **_extra):
        seen.append("request")

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


@pytest.mark.parametrize("path", PUBLIC_URLS)
def test_a_cached_page_is_answered_by_the_front_without_flask(app, make_event, statements, flask_requests, path):
    event = make_event(slug="yoga-day-2031")
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    first = visitor.get(path.format(slug=event.slug))
    statements.clear()
    flask_requests.clear()
    again = visitor.get(path.format(slug=event.slug))
    assert statements == [] and flask_requests == []
    assert again.status_code == 200 and again.get_data() == first.get_data()
    for header in ("Content-Type", "Content-Security-Policy", "ETag", "Cache-Control", "X-Frame-Options"):
        assert again.headers[header] == first.headers[header], header
    assert "X-Exchange-Page-Cache" not in again.headers and "Set-Cookie" not in again.headers


def test_the_front_sets_the_language_cookie_of_a_first_visit(app, make_event, flask_requests):
    make_event(slug="yoga-day-2031")
    app.test_client().get("/ko/events/")  # fills the cache
    flask_requests.clear()
    newcomer = app.test_client().get("/ko/events/")
    assert flask_requests == []
    assert "lang=ko" in newcomer.headers["Set-Cookie"] and "HttpOnly" in newcomer.headers["Set-Cookie"]
    assert newcomer.headers["Cache-Control"] == "private, no-cache"
    returning = app.test_client()
    returning.set_cookie("lang", "ko")
    assert "Set-Cookie" not in returning.get("/ko/events/").headers


def test_the_front_answers_304_and_head(app, make_event, flask_requests):
    event = make_event(slug="yoga-day-2031")
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    etag = visitor.get(f"/en/events/{event.slug}/").headers["ETag"]
    flask_requests.clear()
    unchanged = visitor.get(f"/en/events/{event.slug}/", headers={"If-None-Match": etag})
    head = visitor.head(f"/en/events/{event.slug}/")
    assert flask_requests == []
    assert unchanged.status_code == 304 and unchanged.get_data() == b"" and unchanged.headers["ETag"] == etag
    assert head.status_code == 200 and head.get_data() == b""


def test_the_front_keeps_one_copy_per_language_and_encoding(app, make_event):
    make_event(slug="yoga-day-2031", titles={"en": "Yoga Day", "ko": "요가의 날"})
    visitor = app.test_client()
    for _ in range(2):  # the second round is answered by the front
        korean = visitor.get("/events.ics", headers={"Accept-Language": "ko"})
        english = visitor.get("/events.ics", headers={"Accept-Language": "en"})
        assert "요가의 날" in korean.get_data(as_text=True) and "Yoga Day" in english.get_data(as_text=True)
        # The same path with a language in its query varies on less; neither copy answers for the other.
        asked = visitor.get("/events.ics?lang=en", headers={"Accept-Language": "ko"})
        assert "Yoga Day" in asked.get_data(as_text=True) and "요가의 날" not in asked.get_data(as_text=True)
        chosen = app.test_client()
        chosen.set_cookie("lang", "ko")
        assert "요가의 날" in chosen.get("/events.ics", headers={"Accept-Language": "en"}).get_data(as_text=True)
        reader = app.test_client()  # its language cookie would choose the feed's language above
        compressed = reader.get("/en/events/", headers={"Accept-Encoding": "gzip"})
        assert compressed.headers["Content-Encoding"] == "gzip" and b"<html" in gzip.decompress(compressed.get_data())
        assert "Content-Encoding" not in reader.get("/en/events/").headers


def test_a_session_goes_past_the_front(client, login, make_user, make_event, flask_requests):
    event = make_event(slug="yoga-day-2031")
    client.get(f"/en/events/{event.slug}/")
    login(make_user("organizer@example.org", events=[event]))
    flask_requests.clear()
    assert client.get(f"/en/events/{event.slug}/").status_code == 200
    assert flask_requests  # a signed-in visitor gets the page made for them


def test_a_new_cover_image_and_its_alt_text_show_at_once(client, make_event, app):
    from image_files import stored_image_name

    from exchange.models import EventTranslation

    event = make_event(slug="lantern-night-2031")
    urls = ("/en/events/lantern-night-2031/", "/en/events/", "/api/v1/events/lantern-night-2031")
    assert not any("/media/" in _page(client, url) for url in urls)
    image_hash = stored_image_name(app).split("-")[0]
    with write_transaction():  # only the image columns of the event row change
        row = db.session.get(Event, event.id)
        row.image_hash, row.image_width, row.image_height, row.image_widths = image_hash, 600, 300, [480, 600]
    assert all(f"/media/{image_hash}-480" in _page(client, url) for url in urls)
    with write_transaction():  # only a translation's alt text changes
        db.session.get(EventTranslation, event.content("en").id).image_alt = "Lanterns on the river"
    assert 'alt="Lanterns on the river"' in _page(client, "/en/events/lantern-night-2031/")
    assert client.get("/api/v1/events/lantern-night-2031").get_json()["image"]["alt"] == {"en": "Lanterns on the river"}
