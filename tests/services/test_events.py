"""What the public catalog shows."""

from datetime import UTC, datetime, timedelta

from exchange.models import Audience, Category, EventStatus, utcnow
from exchange.services.events import CatalogFilters, catalog_months, catalog_page, public_event, upcoming_events


def _slugs(events):
    return [event.slug for event in events]


def test_upcoming_skips_drafts_and_ended_events_and_sorts_by_date(make_event):
    now = utcnow()
    later = make_event(slug="later", starts_at=now + timedelta(days=20))
    sooner = make_event(slug="sooner", starts_at=now + timedelta(days=5))
    make_event(slug="draft", status=EventStatus.DRAFT)
    make_event(slug="ended", starts_at=now - timedelta(days=3), registration_opens_at=now - timedelta(days=30))
    cancelled = make_event(slug="cancelled", status=EventStatus.CANCELLED, starts_at=now + timedelta(days=40))
    assert _slugs(upcoming_events(limit=10, lang="en")) == [sooner.slug, later.slug, cancelled.slug]
    assert _slugs(upcoming_events(limit=1, lang="en")) == [sooner.slug]


def test_an_event_running_now_is_still_upcoming(make_event):
    now = utcnow()
    make_event(slug="running", starts_at=now - timedelta(hours=1), registration_opens_at=now - timedelta(days=9))
    assert _slugs(upcoming_events(limit=5, lang="en")) == ["running"]


def test_catalog_filters_by_category_and_audience(make_event):
    make_event(slug="fair", category=Category.FAIR, allows_delegations=False)
    make_event(slug="visit", category=Category.HERITAGE, allows_individuals=False)
    assert _slugs(catalog_page(CatalogFilters(category=Category.FAIR), 1, "en").items) == ["fair"]
    assert _slugs(catalog_page(CatalogFilters(audience=Audience.DELEGATIONS), 1, "en").items) == ["visit"]
    assert _slugs(catalog_page(CatalogFilters(audience=Audience.INDIVIDUALS), 1, "en").items) == ["fair"]


def test_catalog_month_is_the_local_month_of_the_programme(app, make_event):
    # 06:00 on 1 June in Cần Thơ is still 31 May in UTC.
    starts_at = datetime(2031, 5, 31, 23, 0, tzinfo=UTC)
    make_event(slug="june-first", starts_at=starts_at, registration_opens_at=starts_at - timedelta(days=60))
    day_before = starts_at - timedelta(days=1)
    assert _slugs(catalog_page(CatalogFilters(month=(2031, 6)), 1, "en", now=day_before).items) == ["june-first"]
    assert catalog_page(CatalogFilters(month=(2031, 5)), 1, "en", now=day_before).items == []
    assert catalog_months(now=starts_at - timedelta(days=1)) == [(2031, 6)]


def test_catalog_pages(app, make_event):
    app.config["EVENTS_PER_PAGE"] = 2
    for index in range(5):
        make_event(slug=f"e{index}", starts_at=utcnow() + timedelta(days=index + 1))
    second = catalog_page(CatalogFilters(), 2, "en")
    assert (second.total, second.pages, _slugs(second.items)) == (5, 3, ["e2", "e3"])


def test_drafts_are_not_public(make_event):
    make_event(slug="secret", status=EventStatus.DRAFT)
    assert public_event("secret") is None
    assert public_event("nope") is None
