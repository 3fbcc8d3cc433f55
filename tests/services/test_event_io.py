"""Importing events from the API's JSON shape."""

import copy

import pytest
from sqlalchemy import func, select

from exchange.errors import InvalidEventData
from exchange.extensions import db
from exchange.models import Event
from exchange.services.event_io import event_to_dict, import_events

VALID = {
    "slug": "yoga-day-2031",
    "status": "published",
    "category": "culture",
    "starts_at": "2031-06-21T06:00:00+07:00",
    "ends_at": "2031-06-21T08:30:00+07:00",
    "timezone": "Asia/Ho_Chi_Minh",
    "venue": {"name": "Bến Ninh Kiều", "address": "Hai Bà Trưng, Ninh Kiều", "latitude": 10.0339, "longitude": 105.788},
    "contact": {"name": "Nguyễn Thị Lan", "email": "lan@cantho.example.vn", "phone": "+842923832663"},
    "capacity": 500,
    "registration_opens_at": "2031-04-01T08:00:00+07:00",
    "registration_closes_at": "2031-06-19T23:59:00+07:00",
    "allows_individuals": True,
    "allows_delegations": True,
    "max_delegation_size": 20,
    "partner_countries": ["IN"],
    "translations": {
        "vi": {
            "title": "Ngày Quốc tế Yoga", "summary": "Tập yoga bên sông Hậu.", "description": "**Yoga** buổi sáng.",
            "venue_name": "", "venue_address": "",
        },
        "en": {
            "title": "International Yoga Day", "summary": "Yoga by the Hậu river.", "description": "Morning **yoga**.",
            "venue_name": "Ninh Kiều Wharf", "venue_address": "Hai Bà Trưng Street, Ninh Kiều",
        },
    },
}  # fmt: skip


def _event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def test_import_creates_an_event_that_the_api_gives_back_unchanged(app):
    result = import_events({"events": [VALID]})
    assert result.created == ["yoga-day-2031"]
    exported = event_to_dict(db.session.scalar(select(Event)))
    assert exported.pop("seats_left") == 500
    assert exported.pop("image") is None
    assert exported.pop("questions") == []  # a file without questions gives an event without any
    assert exported == VALID


def test_a_file_without_coordinates_contact_or_venue_per_language_still_imports(app):
    old_shape = copy.deepcopy(VALID)
    old_shape["venue"] = {"name": "Bến Ninh Kiều", "address": ""}
    del old_shape["contact"]
    for content in old_shape["translations"].values():
        del content["venue_name"], content["venue_address"]
    import_events({"events": [old_shape]})
    event = db.session.scalar(select(Event))
    assert (event.latitude, event.longitude, event.contact_email) == (None, None, "")
    assert event.venue_in("en").name == "Bến Ninh Kiều"
    exported = event_to_dict(event)
    assert exported["venue"] == {"name": "Bến Ninh Kiều", "address": "", "latitude": None, "longitude": None}
    assert exported["contact"] == {"name": "", "email": "", "phone": ""}


def test_an_import_reads_venue_per_language_coordinates_and_contact(app):
    import_events({"events": [VALID]})
    event = db.session.scalar(select(Event))
    assert (event.latitude, event.longitude) == (10.0339, 105.788)
    assert event.venue_in("en").name == "Ninh Kiều Wharf"
    assert event.venue_in("fr").name == "Ninh Kiều Wharf"  # French falls back on English, as titles do
    assert event.venue_in("vi").name == "Bến Ninh Kiều"  # an empty venue_name: the event's own
    assert event.contact_phone == "+842923832663"
    local = copy.deepcopy(VALID)
    local["contact"] = {"name": "Lan", "email": "Lan@CanTho.Example.VN", "phone": "0292 3832 663"}
    import_events({"events": [local]})
    db.session.expire_all()
    assert (event.contact_email, event.contact_phone) == ("Lan@cantho.example.vn", "+842923832663")


def test_import_updates_by_slug_and_replaces_translations(app):
    import_events({"events": [VALID]})
    changed = copy.deepcopy(VALID)
    changed["capacity"] = 600
    changed["translations"] = {"ko": {"title": "국제 요가의 날", "summary": "", "description": ""}}
    result = import_events({"events": [changed]})
    assert result.updated == ["yoga-day-2031"]
    event = db.session.scalar(select(Event))
    assert event.capacity == 600
    assert [translation.lang for translation in event.translations] == ["ko"]
    assert _event_count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Yoga Day", "events[1].slug: must be lowercase"),
        ("status", "live", "events[1].status: must be one of draft, published, cancelled"),
        ("category", "sport", "events[1].category: must be one of"),
        ("starts_at", "2031-06-21T06:00:00", "events[1].starts_at: must be an ISO 8601 date and time with an offset"),
        ("ends_at", "2031-06-20T06:00:00+07:00", "events[1].ends_at: must be after starts_at"),
        ("timezone", "Asia/Can_Tho", "events[1].timezone: must be an IANA time zone"),
        ("capacity", -1, "events[1].capacity: must be a whole number"),
        ("capacity", "500", "events[1].capacity: must be a whole number"),
        ("capacity", True, "events[1].capacity: must be a whole number"),
        ("registration_closes_at", "2031-03-01T08:00:00+07:00", "events[1].registration_closes_at: must be after"),
        ("allows_individuals", "yes", "events[1].allows_individuals: must be true or false"),
        ("max_delegation_size", 0, "events[1].max_delegation_size: must be a whole number from 1"),
        ("partner_countries", ["XX"], "events[1].partner_countries: must be a list of ISO 3166"),
        ("venue", "Ninh Kiều", "events[1].venue: must be an object"),
        ("translations", {}, "events[1].translations: must map at least one"),
        ("translations", {"de": {"title": "Yoga"}}, "events[1].translations.de: language must be one of"),
        ("translations", {"en": {"title": ""}}, "events[1].translations.en.title: must not be empty"),
        ("translations", {"en": {"title": "Yoga\x00"}}, "events[1].translations.en.title: contains forbidden characters"),
        ("translations", {"en": {"title": "x" * 201}}, "events[1].translations.en.title: must be at most 200 characters"),
        ("translations", {"en": {"title": "Yoga\nDay"}}, "events[1].translations.en.title: contains forbidden characters"),
        ("seats", 3, "events[1].seats: is not a field of an event"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": 10.03}, "events[1].venue: latitude (-90 to 90) and longitude"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": 91, "longitude": 105}, "events[1].venue: latitude (-90 to 90)"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": 10, "longitude": 181}, "events[1].venue: latitude (-90 to 90)"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": "10", "longitude": "105"}, "events[1].venue: latitude"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": True, "longitude": 105}, "events[1].venue: latitude"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": 10**400, "longitude": 105}, "events[1].venue: latitude"),
        ("venue", {"name": "Bến Ninh Kiều", "latitude": float("nan"), "longitude": 105}, "events[1].venue: latitude"),
        ("venue", {"name": "Bến Ninh Kiều", "zoom": 17}, "events[1].venue: must be an object with name and address"),
        ("contact", "lan@example.com", "events[1].contact: must be an object with name, email and phone"),
        ("contact", {"email": "lan@"}, "events[1].contact.email: must be an email address"),
        ("contact", {"phone": "12"}, "events[1].contact.phone: must be a phone number"),
        ("contact", {"name": "Lan\r\nBcc: x@evil.test"}, "events[1].contact.name: contains forbidden characters"),
        ("contact", {"fax": "1"}, "events[1].contact: must be an object"),
        ("translations", {"en": {"title": "Yoga", "venue_name": "x" * 201}}, "events[1].translations.en.venue_name: must be at"),
        ("translations", {"en": {"title": "Yoga", "venue_address": 7}}, "events[1].translations.en.venue_address: must be text"),
    ],
)
def test_one_invalid_event_imports_nothing_and_names_the_problem(app, field, value, message):
    broken = {**copy.deepcopy(VALID), "slug": "broken-2031", field: value}
    with pytest.raises(InvalidEventData) as raised:
        import_events({"events": [VALID, broken]})
    assert any(problem.startswith(message) for problem in raised.value.problems), raised.value.problems
    assert _event_count() == 0


def test_a_slug_twice_in_one_file_is_refused(app):
    with pytest.raises(InvalidEventData, match="appears more than once"):
        import_events({"events": [VALID, VALID]})
    assert _event_count() == 0


def test_the_file_must_hold_an_events_list(app):
    with pytest.raises(InvalidEventData, match="events"):
        import_events([VALID])


@pytest.mark.seat_drift_expected  # seats held set by hand, without registrations
def test_capacity_cannot_drop_below_the_seats_already_held(app):
    import_events({"events": [VALID]})
    event = db.session.scalar(select(Event))
    event.seats_taken = 40
    db.session.commit()
    with pytest.raises(InvalidEventData, match="40 seats are already held"):
        import_events({"events": [dict(VALID, capacity=30)]})
    db.session.expire_all()
    assert db.session.scalar(select(Event.capacity)) == 500


def test_text_is_normalised_to_nfc(app):
    decomposed = "Ca\u0302\u0300n Tho\u031b"  # "Cần Thơ" typed with combining marks
    import_events({"events": [dict(VALID, venue={"name": decomposed, "address": ""})]})
    assert db.session.scalar(select(Event.venue_name)) == "Cần Thơ"


def test_a_summary_keeps_its_line_breaks(app):
    translations = {"vi": {"title": "Yoga", "summary": "Sáng thứ Bảy.\r\nMang thảm theo.", "description": ""}}
    import_events({"events": [dict(VALID, translations=translations)]})
    assert db.session.scalar(select(Event)).content("vi").summary == "Sáng thứ Bảy.\nMang thảm theo."


def test_cli_import_reports_problems_and_exits_non_zero(runner, tmp_path):
    path = tmp_path / "events.json"
    path.write_text('{"events": [{"slug": "Bad Slug"}]}', encoding="utf-8")
    result = runner.invoke(args=["import-events", str(path)])
    assert result.exit_code == 1
    assert "events[0].slug" in result.output
    assert "nothing was imported" in result.output
    assert _event_count() == 0


def test_cli_import_refuses_a_file_that_is_not_json(runner, tmp_path):
    path = tmp_path / "events.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["import-events", str(path)])
    assert result.exit_code == 1
    assert "not valid UTF-8 JSON" in result.output
