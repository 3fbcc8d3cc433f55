"""Public pages. Every URL starts with the locale, /<lang>/."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ..caching import cached_page
from ..errors import DelegationTooLarge, ExchangeError, InvitationRefused, RegistrationRefused
from ..extensions import csrf, limiter
from ..http import page_number, with_files
from ..i18n import format_month, localize_blueprint
from ..models import Audience, Category, Event, RegistrationKind, RegistrationWindow
from ..services.content import render_markdown
from ..services.events import (
    CatalogFilters,
    catalog_months,
    catalog_page,
    public_event_for_form,
    public_event_page,
    upcoming_events,
)
from ..services.invitations import invitation_for_code
from ..services.registrations import RegistrationOutcome, check_open_for, register
from ..services.tokens import normalize_invitation_code
from .answer_forms import delegation_form, individual_form
from .forms import bounded_delegation_formdata

bp = Blueprint("public", __name__, url_prefix="/<lang>")


localize_blueprint(bp)


def registration_rate_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


# One budget per client for both registration forms, so switching forms gains no extra attempts.
_registration_limit = limiter.shared_limit(registration_rate_limit, scope="registration", methods=["POST"])


@bp.get("/")
@cached_page()
def home():
    """The next events of the programme."""
    return render_template("public/home.html", events=upcoming_events(limit=6, lang=g.lang))


@bp.get("/events/")
@cached_page()
def event_list():
    """The catalog of upcoming events: a text search (`q`), filtered by category, month and audience."""
    filters = _catalog_filters(request.args)
    page = page_number(request.args)
    months = [(f"{year:04d}-{month:02d}", format_month(year, month)) for year, month in catalog_months()]
    return render_template(
        "public/event_list.html", pagination=catalog_page(filters, page, g.lang), filters=filters,
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
        search=" ".join(args.get("q", "")[:100].split()),
    )


@bp.get("/events/<slug>/")
@cached_page()
def event_detail(slug: str):
    """One event: content in the page's language (or a fallback), dates, venue, seats."""
    event = public_event_page(slug, g.lang) or abort(404)
    content = event.content(g.lang) or abort(404)
    return render_template(
        "public/event_detail.html", event=event, content=content, description=render_markdown(content.description),
        window=event.registration_window(), RegistrationWindow=RegistrationWindow,
    )  # fmt: skip


def _refusal(event: Event, kind: RegistrationKind) -> str | None:
    """Why `event` does not take this kind of registration now, or None."""
    try:
        check_open_for(event, kind, delegate_count=1)
    except RegistrationRefused as error:
        return error.message
    return None


def _registration_response(outcome: RegistrationOutcome):
    if outcome.duplicate:
        return render_template("public/registration_received.html")
    return redirect(url_for("registrant.registration_manage", token=outcome.token), code=303)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-shows the filled form instead of an error page
@_registration_limit
def registration_create(slug: str):
    """An individual registers; on success the browser goes to the manage page."""
    event = public_event_for_form(slug) or abort(404)
    form = individual_form(event)()
    refusal, error = _refusal(event, RegistrationKind.INDIVIDUAL), None
    if refusal is None and form.validate_on_submit():
        outcome, refusal, error = _submit(event, form)
        if outcome is not None:
            return outcome
    return render_template(
        "public/registration_create.html", event=event, content=event.content(g.lang), form=form, refusal=refusal,
        error=error,
    )  # fmt: skip


@bp.route("/events/<slug>/delegation", methods=["GET", "POST"])
@csrf.exempt
@_registration_limit
def delegation_create(slug: str):
    """A consulate or partner registers a delegation; row buttons add or remove delegates without JavaScript."""
    event = public_event_for_form(slug) or abort(404)
    refusal, error, status = _refusal(event, RegistrationKind.DELEGATION), None, 200
    formdata = with_files(request.form) if request.method == "POST" else None
    if formdata is not None:
        try:
            formdata = bounded_delegation_formdata(formdata, event.max_delegation_size)
        except DelegationTooLarge as too_large:
            formdata, error, status = too_large.formdata, too_large.message, 422
    form = delegation_form(event)(
        formdata, max_delegates=event.max_delegation_size, invitation_only=event.delegations_by_invitation
    )
    if formdata is None:  # from the invitation's own page; checked only when the form is sent (no lookup to guess with)
        form.invitation.data = normalize_invitation_code(request.args.get("invitation", "")[:20])
    if (
        refusal is None and error is None and formdata is not None and not form.edit_rows(formdata, request.files)
        and form.validate_on_submit()
    ):  # fmt: skip
        outcome, refusal, error = _submit(event, form)
        if outcome is not None:
            return outcome
    return render_template(
        "public/delegation_create.html", event=event, content=event.content(g.lang), form=form, refusal=refusal,
        error=error,
    ), status  # fmt: skip


def _submit(event: Event, form):
    """Register from a valid form: (the redirect, None, None), or (None, why the event refuses, another refusal)."""
    try:
        outcome = register(event.id, form.registration_request(g.lang, _client()), seen_full=event.seats_left == 0)
        return _registration_response(outcome), None, None
    except InvitationRefused as refused:
        form.invitation.errors.append(refused.message)  # by the field, with the rest of the form as typed
        return None, None, None
    except RegistrationRefused as refused:
        return None, refused.message, None  # the event takes no such registration now: no form is shown
    except ExchangeError as refused:
        return None, None, refused.message  # this one is refused (seat cap): the form stays, with the message


def _client() -> str:
    return request.remote_addr or ""


def invitation_rate_limit() -> str:
    return current_app.config["INVITATION_RATE_LIMIT"]


@bp.get("/i/<invitation_code>")
@limiter.limit(invitation_rate_limit)
def invitation(invitation_code: str):
    """An invitation: its event, the seats reserved and left, the deadline, and the way to register through it."""
    found = invitation_for_code(invitation_code) or abort(404)
    event = found.event
    response = current_app.make_response(
        render_template(
            "public/invitation.html",
            invitation=found,
            event=event,
            content=event.content(g.lang),
            takes_delegations=_refusal(event, RegistrationKind.DELEGATION) is None,
        )
    )
    # The code opens reserved seats: no other site learns it from a Referer, no shared cache keeps the page.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/privacy")
@cached_page()
def privacy_notice():
    """What we collect when people register, why, and for how long."""
    return render_template("public/privacy_notice.html")
