"""Calendar feeds: the programme and one event."""

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _

from ..caching import cached_page
from ..i18n import LOCALES, preferred_locale
from ..services.calendar import events_calendar
from ..services.events import FeedWindow, public_event, public_events

bp = Blueprint("feeds", __name__)


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _feed_language() -> str:
    lang = request.args.get("lang")
    return lang if lang in LOCALES else preferred_locale()


def _feed_vary() -> tuple[str, ...]:
    # Without ?lang= the language comes from the language cookie, then Accept-Language.
    return () if request.args.get("lang") in LOCALES else ("Cookie", "Accept-Language")


@bp.get("/events.ics")
@cached_page(language=_feed_language, vary=_feed_vary)
def programme_calendar():
    """Public events not yet ended (?when=past or all for the others); titles in ?lang= or the visitor's language."""
    try:
        when = FeedWindow(request.args.get("when", FeedWindow.UPCOMING))
    except ValueError:
        message = _("The parameter “%(name)s” must be one of: %(choices)s.", name="when", choices="upcoming, past, all")
        return Response(message, 400, mimetype="text/plain")
    return _ics(events_calendar(public_events(when), _feed_language()), "events.ics")


@bp.get("/<lang>/events/<slug>/calendar.ics")
@cached_page()
def event_calendar(lang: str, slug: str):
    """One event for the visitor's calendar."""
    event = public_event(slug)
    if lang not in LOCALES or event is None:
        abort(404)
    return _ics(events_calendar([event], lang), f"{slug}.ics")
