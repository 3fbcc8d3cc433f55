"""The public API answers as its OpenAPI description says."""

import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from exchange.models import EventStatus
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
    assert client.get("/api/v1/events").get_json() == {"events": []}


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
