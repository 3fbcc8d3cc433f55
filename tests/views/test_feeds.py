"""Calendar feeds and the health check."""

from datetime import timedelta

from icalendar import Calendar

from exchange.models import EventStatus, utcnow


def _entries(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_programme_feed_lists_public_events_titled_in_the_asked_language(client, make_event):
    make_event(slug="yoga", titles={"en": "Yoga Day", "ja": "ヨガの日"})
    make_event(slug="off", status=EventStatus.CANCELLED)
    make_event(slug="hidden", status=EventStatus.DRAFT)
    entries = _entries(client.get("/events.ics?lang=ja"))
    by_uid = {str(entry["uid"]): entry for entry in entries}
    assert set(by_uid) == {"event-yoga@cantho-cultural-exchange", "event-off@cantho-cultural-exchange"}
    assert str(by_uid["event-yoga@cantho-cultural-exchange"]["summary"]) == "ヨガの日"
    assert str(by_uid["event-off@cantho-cultural-exchange"]["status"]) == "CANCELLED"
    assert str(by_uid["event-yoga@cantho-cultural-exchange"]["url"]) == "https://events.example.test/ja/events/yoga/"


def test_programme_feed_lists_upcoming_events_unless_the_past_is_asked_for(client, make_event):
    now = utcnow()
    long_ago = now - timedelta(days=60)
    make_event(slug="long-ago", starts_at=long_ago, registration_opens_at=long_ago - timedelta(days=10))
    make_event(slug="under-way", starts_at=now - timedelta(hours=1), registration_opens_at=now - timedelta(days=10))
    make_event(slug="next-month", starts_at=now + timedelta(days=30))
    for query, expected in (
        ("", {"under-way", "next-month"}),
        ("?when=past", {"long-ago"}),
        ("?when=all&lang=ko", {"long-ago", "under-way", "next-month"}),
    ):
        uids = {str(entry["uid"]) for entry in _entries(client.get(f"/events.ics{query}"))}
        assert uids == {f"event-{slug}@cantho-cultural-exchange" for slug in expected}, query


def test_programme_feed_explains_an_unknown_when(client):
    response = client.get("/events.ics?when=soon", headers={"Accept-Language": "en"})
    assert (response.status_code, response.mimetype) == (400, "text/plain")
    assert response.get_data(as_text=True) == "The parameter “when” must be one of: upcoming, past, all."


def test_event_calendar_has_the_exact_times(client, make_event):
    event = make_event(titles={"vi": "Đờn ca tài tử"})
    (entry,) = _entries(client.get(f"/vi/events/{event.slug}/calendar.ics"))
    assert entry.decoded("dtstart") == event.starts_at
    assert entry.decoded("dtend") - entry.decoded("dtstart") == timedelta(hours=3)
    assert str(entry["summary"]) == "Đờn ca tài tử"
    assert "Bến Ninh Kiều" in str(entry["location"])


def test_event_calendar_of_a_draft_is_404(client, make_event):
    event = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/vi/events/{event.slug}/calendar.ics").status_code == 404
    assert client.get(f"/xx/events/{event.slug}/calendar.ics").status_code == 404


def test_healthz_touches_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_database_that_does_not_answer(tmp_path):
    from exchange import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
