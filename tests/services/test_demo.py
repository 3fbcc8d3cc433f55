"""The demo programme."""

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Event, EventStatus
from exchange.services.demo import load_programme, seed_demo
from exchange.services.event_io import event_to_dict

REQUIRED_KEYS = {
    "yoga-day", "viet-han-cultural-exchange", "folk-cake-festival", "agricultural-fair", "don-ca-tai-tu-festival",
    "bangkok-tourism-conference", "laos-60-years", "cambodia-55-years", "india-50-years",
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
