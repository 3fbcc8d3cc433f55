"""Public JSON API, read only."""

from flask import Blueprint, abort, request
from flask_babel import gettext as _

from ..caching import cached_page
from ..links import external_url
from ..services.event_io import event_to_dict
from ..services.events import FeedWindow, public_event, public_events_page
from .openapi import DEFAULT_PER_PAGE, MAX_PER_PAGE, SPEC

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def allow_any_origin(response):
    # Public, read-only data: partner sites may embed the programme.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _bad_query(message: str):
    return {"error": message, "status": 400}, 400


def _whole_number(name: str, default: int) -> int | None:
    """`?name=` as a positive whole number, `default` when absent, None when it is anything else."""
    value = request.args.get(name)
    if value is None:
        return default
    # At most nine digits: int() of a very long string is slow, then refused.
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 9 and int(value) > 0 else None


@bp.get("/events")
@cached_page()
def event_list():
    """One page of public events in all languages (upcoming unless ?when=), in the shape `import-events` reads back."""
    try:
        when = FeedWindow(request.args.get("when", FeedWindow.UPCOMING))
    except ValueError:
        return _bad_query(_("The parameter “%(name)s” must be one of: %(choices)s.", name="when", choices="upcoming, past, all"))
    page = _whole_number("page", 1)
    if page is None:
        return _bad_query(_("The parameter “%(name)s” must be a whole number of at least 1.", name="page"))
    per_page = _whole_number("per_page", DEFAULT_PER_PAGE)
    if per_page is None or per_page > MAX_PER_PAGE:
        return _bad_query(
            _("The parameter “%(name)s” must be a whole number from 1 to %(high)s.", name="per_page", high=MAX_PER_PAGE)
        )
    result = public_events_page(when, page, per_page)

    def page_url(number: int) -> str:
        return external_url("api.event_list", when=when.value, page=number, per_page=per_page)

    next_url = page_url(page + 1) if result.has_next else None
    prev_url = page_url(min(page - 1, max(result.pages, 1))) if page > 1 else None
    body = {
        "events": [event_to_dict(event) for event in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "next": next_url,
        "prev": prev_url,
    }
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", prev_url)) if url]
    return body, 200, {"Link": ", ".join(links)} if links else {}


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
