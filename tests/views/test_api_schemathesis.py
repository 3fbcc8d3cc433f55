"""Schemathesis against the API's OpenAPI description: generated requests never get a 5xx, answers match it."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from exchange.api.openapi import SPEC

# Read at collection time, so each operation becomes a test; test_the_api_serves_this_description holds it to the URL.
schema = schemathesis.openapi.from_dict(SPEC)


@pytest.fixture
def api_app(app, make_event):
    make_event(slug="yoga-day-2031", titles={"en": "International Yoga Day", "vi": "Ngày Quốc tế Yoga", "km": "ទិវាយូហ្គា"})
    return app


@schema.parametrize()
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_description(case, api_app):
    # Called in-process, the answer is not decoded: ask for it uncompressed, as the description shows it.
    case.call_and_validate(app=api_app, headers={"Accept-Encoding": "identity"})


def test_the_api_serves_this_description(client):
    assert client.get("/api/v1/openapi.json").get_json() == json.loads(json.dumps(SPEC))
