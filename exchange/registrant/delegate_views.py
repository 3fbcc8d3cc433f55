"""A delegate's own page, opened by the personal link in their own email: their ticket and their own details.

It opens nothing of the delegation but this one person: not the contact's
page, not the other delegates. Like the contact's pages, it never leaks its
token (no Referer, no cache) and an unknown token looks like any missing page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import ExchangeError
from ..extensions import csrf
from ..i18n import localize_blueprint
from ..models import Delegate, RegistrationWindow
from ..services.registrations import correct_delegate_details
from ..services.tickets import delegate_ticket
from ..services.tokens import ManageLinkExpired, delegate_for_token
from .forms import OwnDetailsForm
from .views import keep_the_token_private, link_expired, manage_limit

bp = Blueprint("delegate", __name__, url_prefix="/<lang>/d")
localize_blueprint(bp)
csrf.exempt(bp)  # the form checks its own token, to show what was typed again when it expired
bp.after_request(keep_the_token_private)
bp.register_error_handler(ManageLinkExpired, link_expired)


def _may_correct(delegate: Delegate) -> bool:
    registration = delegate.registration
    return (
        delegate.status.holds_seat
        and registration.is_active
        and registration.event.registration_window() == RegistrationWindow.OPEN
    )


def _render(delegate: Delegate, form: OwnDetailsForm, error: str | None = None, status: int = 200):
    event = delegate.registration.event
    return render_template(
        "registrant/delegate_page.html",
        delegate=delegate,
        registration=delegate.registration,
        event=event,
        content=event.content(g.lang),
        ticket=delegate_ticket(delegate),
        form=form,
        may_correct=_may_correct(delegate),
        error=error,
    ), status


@bp.route("/<token>", methods=["GET", "POST"])
@manage_limit
def delegate_page(token: str):
    """A delegate's ticket; POST corrects their own details (name, position, needs, language) until registration closes."""
    delegate = delegate_for_token(token) or abort(404)
    if request.method == "GET":
        return _render(delegate, OwnDetailsForm.for_delegate(delegate))
    form = OwnDetailsForm()
    if not _may_correct(delegate):
        return _render(delegate, form, error=_("Your details can no longer be changed here."), status=409)
    if not form.validate_on_submit():
        return _render(delegate, form, status=422)
    try:
        correct_delegate_details(delegate.id, form.own_details())
    except ExchangeError as error:
        return _render(delegate, form, error=error.message, status=409)
    flash(_("Your details are saved."))
    return redirect(url_for("delegate.delegate_page", token=token), code=303)
