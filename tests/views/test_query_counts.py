"""Public pages read the database a fixed number of times, and only what they show."""

from datetime import timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import inspect

from exchange.extensions import cache, db
from exchange.i18n import LOCALES
from exchange.models import Category, Event, EventStatus, EventTranslation, utcnow
from exchange.services.events import CatalogFilters, catalog_page, public_event_page, upcoming_events

# Every public page a visitor can open, as (name, URL); {slug} is an event of the programme.
PUBLIC_PAGES = [
    ("home", "/ko/"),
    ("catalog", "/vi/events/"),
    ("catalog filtered", "/ko/events/?category=festival&audience=delegations"),
    ("catalog searched", "/fr/events/?q=Festival+%C3%A9t%C3%A9"),
    ("event page", "/ja/events/{slug}/"),
    ("registration form", "/fr/events/{slug}/register"),
    ("delegation form", "/th/events/{slug}/delegation"),
    ("event calendar", "/lo/events/{slug}/calendar.ics"),
    ("privacy notice", "/km/privacy"),
    ("API list", "/api/v1/events"),
    ("API event", "/api/v1/events/{slug}"),
    ("programme calendar", "/events.ics?lang=en"),
]


def _add_events(count: int, first: int) -> None:
    """`count` published events, each in all eight languages with a long description, in one commit."""
    now = utcnow().replace(microsecond=0)
    for number in range(first, first + count):
        starts_at = now + timedelta(days=10 + number % 300, hours=number % 24)
        event = Event(
            slug=f"programme-{number}", status=EventStatus.PUBLISHED, category=list(Category)[number % len(Category)],
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), venue_name="Bến Ninh Kiều", capacity=100,
            registration_opens_at=now - timedelta(days=1), registration_closes_at=starts_at - timedelta(days=1),
            allows_delegations=number % 2 == 0,
        )  # fmt: skip
        for lang in LOCALES:
            event.translations.append(
                EventTranslation(lang=lang, title=f"{lang} {number}", summary="Summary", description="Long text. " * 100)
            )
        db.session.add(event)
    db.session.commit()
    db.session.expunge_all()


def _statement_counts(app, client) -> dict[str, int]:
    counts = {}
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    try:
        for name, url in PUBLIC_PAGES:
            db.session.remove()  # as between two requests in production, where each has its own session
            cache.clear()  # what rendering a page costs, not what serving it from the page cache costs
            statements.clear()
            response = client.get(url.format(slug="programme-1"))
            assert response.status_code == 200, name
            counts[name] = len(statements)
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    return counts


def test_public_pages_run_as_many_statements_at_200_events_as_at_14(app, client):
    _add_events(14, first=1)
    client.get("/vi/")  # the first request of an app builds caches that later ones reuse
    at_14 = _statement_counts(app, client)
    _add_events(186, first=15)
    at_200 = _statement_counts(app, client)
    assert at_200 == at_14
    # A catalog page is a count, the events, their translations and the month filter; a few more are welcome.
    assert at_14["catalog"] <= 6


@pytest.fixture
def programme(make_event):
    events = [
        make_event(titles={"ko": "한국어", "en": "English", "vi": "Tiếng Việt"}),
        make_event(titles={"vi": "Chỉ tiếng Việt", "en": "Only English"}),
        make_event(titles={"vi": "Chỉ tiếng Việt"}),
        make_event(titles={"th": "ภาษาไทย", "fr": "Français"}),
    ]
    slugs = [event.slug for event in events]
    db.session.expunge_all()  # a fresh session, as a request has, holding none of their translations
    return slugs


def _card_contents(events, lang):
    contents = []
    for event in events:
        assert len(event.translations) == 1, event.slug
        content = event.content(lang)
        assert "description" in inspect(content).unloaded, "cards never show the description"
        contents.append(content.title)
    return contents


def test_cards_load_one_translation_per_event_picked_like_event_content(programme):
    expected = ["한국어", "Only English", "Chỉ tiếng Việt", "Français"]  # page language, en, vi, then the first code
    assert _card_contents(catalog_page(CatalogFilters(), 1, "ko").items, "ko") == expected
    db.session.expunge_all()
    assert _card_contents(upcoming_events(limit=6, lang="ko"), "ko") == expected
    db.session.expunge_all()
    assert _card_contents(upcoming_events(limit=6, lang="th"), "th") == ["English", "Only English", "Chỉ tiếng Việt", "ภาษาไทย"]


def test_event_page_loads_the_one_translation_it_shows_with_its_description(programme):
    event = public_event_page(programme[3], "ja")
    assert [translation.lang for translation in event.translations] == ["fr"]
    assert event.content("ja").description == "About **Français**."
