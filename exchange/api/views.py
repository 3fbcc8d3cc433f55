"""Public JSON API, read only."""

from flask import Blueprint, abort

from ..caching import cached_page
from ..services.event_io import event_to_dict
from ..services.events import public_event, public_events
from .openapi import SPEC

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def allow_any_origin(response):
    # Public, read-only data: partner sites may embed the programme.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/events")
@cached_page()
def event_list():
    """Every public event in all languages, in the shape `import-events` reads back."""
    return {"events": [event_to_dict(event) for event in public_events()]}


@bp.get("/events/<slug>")
@cached_page()
def event_detail(slug: str):
    """One public event in all languages."""
    event = public_event(slug) or abort(404)
    return event_to_dict(event)


@bp.get("/openapi.json")
@cached_page()
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return SPEC
