"""The demo programme."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Event, EventStatus
from exchange.services.demo import load_programme, seed_demo
from exchange.services.event_io import event_to_dict

REQUIRED_KEYS = {
    "yoga-day", "viet-han-cultural-exchange", "folk-cake-festival", "agricultural-fair", "don-ca-tai-tu-festival",
    "bangkok-tourism-conference", "laos-relations-anniversary", "cambodia-relations-anniversary",
    "india-relations-anniversary",
    "king-sejong-student-exchange", "jeollanam-youth-exchange", "heritage-visit",
}  # fmt: skip


def _events():
    return list(db.session.scalars(select(Event).order_by(Event.slug)))


def test_the_programme_has_the_city_events_in_all_eight_languages():
    programme = load_programme()
    assert len(programme) >= 12
    assert REQUIRED_KEYS <= {entry["key"] for entry in programme}
    for entry in programme:
        assert set(entry["translations"]) == set(LOCALES), entry["key"]
        for lang, content in entry["translations"].items():
            assert content["title"] and content["summary"] and len(content["description"]) > 200, (entry["key"], lang)


def test_seed_dates_each_event_at_its_next_yearly_occurrence(app):
    seed_demo(today=date(2026, 11, 27))
    events = {event.slug.rsplit("-", 1)[0]: event for event in _events()}
    assert len(events) == len(load_programme())
    local = {key: event.starts_at.astimezone(ZoneInfo(event.timezone)) for key, event in events.items()}
    assert local["yoga-day"].date() == date(2027, 6, 21)
    assert local["yoga-day"].hour == 6
    assert local["viet-han-cultural-exchange"].date() == date(2026, 12, 12)
    assert all(event.status == EventStatus.PUBLISHED for event in events.values())
    assert all(event.registration_opens_at < event.registration_closes_at <= event.starts_at for event in events.values())
    assert events["bangkok-tourism-conference"].timezone == "Asia/Bangkok"


def test_seed_with_a_year_dates_every_event_in_that_year(app):
    seed_demo(today=date(2026, 11, 27), year=2030)
    assert {event.slug[-4:] for event in _events()} == {"2030"}
    assert {event.starts_at.year for event in _events()} <= {2029, 2030}  # UTC may still be the day before


def test_seeding_twice_changes_nothing(app):
    seed_demo(today=date(2026, 11, 27))
    before = [event_to_dict(event) for event in _events()]
    result = seed_demo(today=date(2026, 11, 27))
    db.session.expire_all()
    assert result.created == []
    assert [event_to_dict(event) for event in _events()] == before


def test_seed_keeps_what_an_organizer_changed(app):
    seed_demo(today=date(2026, 11, 27))
    event = _events()[0]
    event.capacity = 7
    db.session.commit()
    seed_demo(today=date(2026, 11, 27))
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 7


def test_seed_demo_command(runner):
    result = runner.invoke(args=["seed-demo", "--year", "2031"])
    assert result.exit_code == 0, result.output
    assert f"{len(load_programme())} events created" in result.output


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2026, 12, 2), date(2027, 6, 15), date(2029, 1, 1)])
def test_every_seeded_event_can_still_be_joined_on_the_day_it_is_seeded(app, today):
    seed_demo(today=today)
    end_of_today = datetime.combine(today, time(23, 59, 59), ZoneInfo("Asia/Ho_Chi_Minh"))
    events = _events()
    assert len(events) == len(load_programme())
    for event in events:
        assert event.registration_closes_at > end_of_today, (event.slug, event.registration_closes_at)


def test_the_agricultural_fair_seeded_after_its_registration_closed_is_next_years(app):
    # The fair opens on 3 December and its registration closes a week before.
    seed_demo(today=date(2026, 12, 2))
    fair = next(event for event in _events() if event.slug.startswith("agricultural-fair"))
    assert fair.slug == "agricultural-fair-2027"
    assert fair.starts_at.astimezone(ZoneInfo(fair.timezone)).date() == date(2027, 12, 3)


def test_a_given_year_leaves_out_the_events_whose_registration_has_closed(app):
    seed_demo(today=date(2026, 12, 2), year=2026)
    slugs = {event.slug for event in _events()}
    assert "viet-han-cultural-exchange-2026" in slugs
    assert "agricultural-fair-2026" not in slugs and "yoga-day-2026" not in slugs


KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

# How each language writes "N years" of relations in the programme's titles.
TITLE_COUNT = {
    "vi": "{n} năm", "en": "{n} Years", "ko": "{n}주년", "ja": "{n}周年", "lo": "{n} ປີ", "km": "{km} ឆ្នាំ",
    "th": "{n} ปี", "fr": "{n} ans",
}  # fmt: skip
RELATIONS_SINCE = {"viet-han-cultural-exchange": 1992, "laos-relations-anniversary": 1962,
                   "cambodia-relations-anniversary": 1967, "india-relations-anniversary": 1972}  # fmt: skip


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2027, 6, 15), date(2029, 1, 1)])
def test_anniversaries_count_the_years_since_relations_began_in_every_language(app, today):
    seed_demo(today=today)
    seen = 0
    for event in _events():
        key, year = event.slug.rsplit("-", 1)
        if key not in RELATIONS_SINCE:
            continue
        seen += 1
        count = int(year) - RELATIONS_SINCE[key]
        texts = {t.lang: t for t in event.translations}
        assert set(texts) == set(LOCALES)
        for lang, expected in TITLE_COUNT.items():
            wanted = expected.format(n=count, km=str(count).translate(KHMER))
            assert wanted in texts[lang].title, (key, lang, texts[lang].title)
            everything = " ".join((texts[lang].title, texts[lang].summary, texts[lang].description))
            assert "{" not in everything, (key, lang)
            # No other anniversary count (such as the old "30") is left anywhere in the texts.
            for stale in (30, 50, 55, 60):
                if stale != count:
                    assert not re.search(rf"(?<![\d:]){stale}(?:[ ]?(?:năm|years|Years|ans|주년|周年|ປີ|ปี)|e |th )", everything)
                    assert str(stale).translate(KHMER) not in everything
        if key == "viet-han-cultural-exchange" and year == "2026":
            assert texts["ko"].title == "한-베 문화교류: 베트남-한국 수교 34주년 기념"
            assert "34e anniversaire" in texts["fr"].description or "34 ans" in texts["fr"].title
        if key == "laos-relations-anniversary":
            assert f"{count}th anniversary" in texts["en"].description
            assert f"{count}e anniversaire" in texts["fr"].description
    assert seen == 4


def test_seed_demo_command_says_which_events_it_left_out(runner):
    result = runner.invoke(args=["seed-demo", "--year", "2020"])
    assert result.exit_code == 0, result.output
    assert f"0 events created, 0 already there, {len(load_programme())} left out" in result.output


def test_every_seeded_venue_is_named_in_every_language_and_the_wharf_is_on_the_map(app):
    seed_demo(date(2026, 12, 2), year=2027)
    events = {event.slug.rsplit("-", 1)[0]: event for event in db.session.scalars(select(Event))}
    for key, event in events.items():
        names = {lang: event.venue_in(lang) for lang in LOCALES}
        # The event's own venue is Vietnamese, but for Bangkok's, which is English.
        own = "en" if key == "bangkok-tourism-conference" else "vi"
        assert all(venue.name_lang == lang for lang, venue in names.items() if lang != own), key
        assert len({venue.name for venue in names.values()}) >= 3, key  # not one Vietnamese name for everyone
    yoga = events["yoga-day"]
    assert (yoga.venue_in("ko").name, yoga.venue_in("lo").name, yoga.venue_in("km").name) == (
        "닌끼에우 부두", "ທ່າເຮືອນິງກຽວ", "កំពង់ផែនិញកៀវ",
    )  # fmt: skip
    assert yoga.venue_in("en").address.startswith("Hai Bà Trưng Street")
    assert yoga.map_url.startswith("https://www.openstreetmap.org/?mlat=10.03")
