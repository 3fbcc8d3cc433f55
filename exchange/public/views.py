"""Public pages. Every URL starts with the locale, /<lang>/."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request
from werkzeug.datastructures import MultiDict

from ..i18n import LOCALES, format_month
from ..models import Audience, Category, RegistrationWindow
from ..services.content import render_markdown
from ..services.events import CatalogFilters, catalog_months, catalog_page, public_event, upcoming_events

bp = Blueprint("public", __name__, url_prefix="/<lang>")


@bp.url_value_preprocessor
def pull_lang(_endpoint, values):
    lang = values.pop("lang", None) if values else None
    if lang not in LOCALES:
        abort(404)
    g.lang = lang


@bp.url_defaults
def add_lang(endpoint, values):
    if "lang" not in values and g.get("lang"):
        values["lang"] = g.lang


@bp.after_request
def remember_lang(response):
    # The language a visitor last read in is where / sends them next time.
    name, lang = current_app.config["LANGUAGE_COOKIE_NAME"], g.get("lang")
    if lang and request.cookies.get(name) != lang:
        response.set_cookie(
            name, lang, max_age=current_app.config["LANGUAGE_COOKIE_MAX_AGE"], samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
        )  # fmt: skip
    return response


@bp.get("/")
def home():
    """The next events of the programme."""
    return render_template("public/home.html", events=upcoming_events(limit=6))


@bp.get("/events/")
def event_list():
    """The catalog of upcoming events, filtered by category, month and audience."""
    filters = _catalog_filters(request.args)
    page = request.args.get("page", 1, type=int)
    months = [(f"{year:04d}-{month:02d}", format_month(year, month)) for year, month in catalog_months()]
    return render_template(
        "public/event_list.html", pagination=catalog_page(filters, max(page, 1)), filters=filters,
        categories=list(Category), audiences=list(Audience), months=months,
    )  # fmt: skip


def _catalog_filters(args: MultiDict) -> CatalogFilters:
    """Filters from the query string; a value that is not a known choice is ignored."""
    category = args.get("category")
    audience = args.get("audience")
    month = None
    year_text, _, month_text = args.get("month", "").partition("-")
    if year_text.isdigit() and month_text.isdigit() and 1 <= int(month_text) <= 12 and 2000 <= int(year_text) <= 2200:
        month = (int(year_text), int(month_text))
    return CatalogFilters(
        category=Category(category) if category in Category._value2member_map_ else None,
        month=month,
        audience=Audience(audience) if audience in Audience._value2member_map_ else None,
    )


@bp.get("/events/<slug>/")
def event_detail(slug: str):
    """One event: content in the page's language (or a fallback), dates, venue, seats."""
    event = public_event(slug) or abort(404)
    content = event.content(g.lang) or abort(404)
    return render_template(
        "public/event_detail.html", event=event, content=content, description=render_markdown(content.description),
        window=event.registration_window(), RegistrationWindow=RegistrationWindow,
    )  # fmt: skip
