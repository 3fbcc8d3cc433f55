"""The public API answers as its OpenAPI description says."""

from datetime import timedelta

import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from exchange.models import EventStatus, utcnow
from exchange.services.event_io import import_events


@pytest.fixture
def spec(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    return spec


def _validator(spec, schema_name):
    # OpenAPI 3.1 schemas are JSON Schema 2020-12; refs point into the spec document.
    registry = Registry().with_resource("urn:spec", Resource(contents=spec, specification=DRAFT202012))
    schema = {"$ref": f"urn:spec#/components/schemas/{schema_name}"}
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


def test_event_list_matches_the_description(client, spec, make_event):
    make_event(titles={"vi": "Lễ hội bánh dân gian", "km": "ពិធីបុណ្យនំ"}, partner_countries=["KH"])
    make_event(status=EventStatus.CANCELLED)
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    body = response.get_json()
    _validator(spec, "EventList").validate(body)
    assert len(body["events"]) == 2
    assert body["events"][0]["translations"]["km"]["title"] == "ពិធីបុណ្យនំ"
    assert "ពិធីបុណ្យនំ" in response.get_data(as_text=True)  # not \u-escaped


def test_event_detail_matches_the_description(client, spec, make_event):
    event = make_event(capacity=12)
    body = client.get(f"/api/v1/events/{event.slug}").get_json()
    _validator(spec, "Event").validate(body)
    assert body["seats_left"] == 12
    assert body["starts_at"].endswith("+07:00")


def test_drafts_and_unknown_slugs_are_json_404s(client, spec, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    for slug in (draft.slug, "nope"):
        response = client.get(f"/api/v1/events/{slug}")
        assert response.status_code == 404
        _validator(spec, "Error").validate(response.get_json())
    assert client.get("/api/v1/events").get_json()["events"] == []


def test_the_list_imports_back_unchanged(client, make_event):
    make_event(titles={"en": "Round trip", "lo": "ງານບຸນ"})
    exported = client.get("/api/v1/events").get_json()
    for event in exported["events"]:
        event["capacity"] += 1
    result = import_events(exported)
    assert len(result.updated) == 1
    again = client.get("/api/v1/events").get_json()
    assert again == exported | {"events": [dict(event, seats_left=event["seats_left"] + 1) for event in exported["events"]]}


def test_a_wrong_method_gets_a_json_405_with_its_allow_header(client, make_event):
    make_event(slug="yoga")
    for path in ("/api/v1/events", "/api/v1/events/yoga", "/api/v1/openapi.json"):
        response = client.post(path)
        assert (response.status_code, response.mimetype) == (405, "application/json"), path
        assert {method.strip() for method in response.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}
        assert response.get_json() == {"error": "Method Not Allowed", "status": 405}


def _slugs(body):
    return [event["slug"] for event in body["events"]]


def test_the_list_is_upcoming_events_unless_the_past_is_asked_for(client, spec, make_event):
    now = utcnow()
    long_ago = now - timedelta(days=60)
    make_event(slug="long-ago", starts_at=long_ago, registration_opens_at=long_ago - timedelta(days=10))
    make_event(
        slug="under-way", starts_at=now - timedelta(hours=1), registration_opens_at=now - timedelta(days=10)
    )  # ends in two hours
    make_event(slug="next-month", starts_at=now + timedelta(days=30))
    validator = _validator(spec, "EventList")
    for query, expected in (
        ("", ["under-way", "next-month"]),
        ("?when=upcoming", ["under-way", "next-month"]),
        ("?when=past", ["long-ago"]),
        ("?when=all", ["long-ago", "under-way", "next-month"]),
    ):
        body = client.get(f"/api/v1/events{query}").get_json()
        validator.validate(body)
        assert _slugs(body) == expected, query
        assert body["total"] == len(expected)


def test_the_list_comes_in_pages_linked_in_the_body_and_the_link_header(client, spec, make_event):
    now = utcnow()
    for day in range(5):
        make_event(slug=f"day-{day}", starts_at=now + timedelta(days=day + 1))
    validator = _validator(spec, "EventList")
    seen, url, pages = [], "/api/v1/events?per_page=2", 0
    while url:
        response = client.get(url)
        body = response.get_json()
        validator.validate(body)
        seen += _slugs(body)
        pages += 1
        if body["next"]:
            assert f'<{body["next"]}>; rel="next"' in response.headers["Link"]
            assert body["next"].startswith("https://events.example.test/api/v1/events?")
        else:
            assert 'rel="next"' not in response.headers.get("Link", "")
        url = body["next"]
    assert seen == [f"day-{day}" for day in range(5)]
    assert pages == 3
    last = client.get("/api/v1/events?per_page=2&page=3")
    assert last.get_json()["prev"] == "https://events.example.test/api/v1/events?when=upcoming&page=2&per_page=2"
    assert last.headers["Link"] == f'<{last.get_json()["prev"]}>; rel="prev"'
    beyond = client.get("/api/v1/events?per_page=2&page=9").get_json()
    assert (beyond["events"], beyond["total"], beyond["next"]) == ([], 5, None)


def test_the_default_page_has_twenty_events_and_one_asks_for_at_most_a_hundred(client, make_event):
    now = utcnow()
    for hour in range(21):
        make_event(starts_at=now + timedelta(days=1, hours=hour))
    first = client.get("/api/v1/events").get_json()
    assert (len(first["events"]), first["per_page"], first["total"]) == (20, 20, 21)
    assert len(client.get("/api/v1/events?per_page=100").get_json()["events"]) == 21


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("when=yesterday", "The parameter “when” must be one of: upcoming, past, all."),
        ("page=0", "The parameter “page” must be a whole number of at least 1."),
        ("page=-1", "The parameter “page” must be a whole number of at least 1."),
        ("page=2.5", "The parameter “page” must be a whole number of at least 1."),
        ("page=" + "9" * 5000, "The parameter “page” must be a whole number of at least 1."),
        ("per_page=101", "The parameter “per_page” must be a whole number from 1 to 100."),
        ("per_page=abc", "The parameter “per_page” must be a whole number from 1 to 100."),
        ("per_page=٣", "The parameter “per_page” must be a whole number from 1 to 100."),
    ],
)
def test_a_bad_paging_value_is_a_clear_400(client, spec, make_event, query, message):
    make_event()
    response = client.get(f"/api/v1/events?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    _validator(spec, "Error").validate(response.get_json())
    assert response.get_json()["error"] == message


def test_a_bad_paging_value_is_explained_in_the_visitors_language(client, make_event):
    response = client.get("/api/v1/events?per_page=500", headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "per_page" in response.get_json()["error"]
    assert "100" in response.get_json()["error"]
    assert response.get_json()["error"] != "The parameter “per_page” must be a whole number from 1 to 100."


def test_a_page_of_the_list_imports_back(client, make_event):
    now = utcnow()
    for day in range(3):
        make_event(titles={"en": f"Evening {day}"}, starts_at=now + timedelta(days=day + 1))
    page = client.get("/api/v1/events?per_page=2").get_json()
    assert page["next"]
    result = import_events(page)
    assert len(result.updated) == 2
