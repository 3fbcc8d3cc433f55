"""A registrant's own pages, opened by the secret link from their email: see, edit, cancel, download, erase.

The token is the only key, so these pages never leak it: no Referer leaves
them, no cache keeps them, and an unknown token looks like any missing page.
An expired one gets a page that says so (410).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DelegationTooLarge, ExchangeError
from ..extensions import csrf, db, limiter
from ..http import with_files
from ..i18n import localize_blueprint
from ..models import AskedOf, Invitation, Registration, Transition
from ..public.answer_forms import delegation_form, individual_form, load_answers, with_questions
from ..public.forms import ContactForm, DelegationDetailsForm, bounded_delegation_formdata
from ..services.answers import shared_answers
from ..services.calendar import registration_calendar as build_registration_calendar
from ..services.delegate_mail import delegate_mail_states, resend_delegate_ticket
from ..services.portal import to_do
from ..services.privacy import erase_registration, may_erase, personal_data
from ..services.registrations import (
    cancel,
    confirm_address,
    substitute,
    update_contact,
    update_delegates,
    waitlist_position,
)
from ..services.tickets import tickets
from ..services.tokens import ManageLinkExpired, registration_for_token
from ..services.transitions import refusal
from .forms import CancelForm, ConfirmAddressForm, EraseForm, ResendForm, SubstituteForm

bp = Blueprint("registrant", __name__, url_prefix="/<lang>/r")
localize_blueprint(bp)
# Forms here check their own CSRF token, to re-show what was typed when it expired.
csrf.exempt(bp)


@bp.after_request
def keep_the_token_private(response: Response) -> Response:
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ManageLinkExpired)
def link_expired(error: ManageLinkExpired):
    return render_template("registrant/link_expired.html", message=error.message), 410


def _registration(token: str) -> Registration:
    return registration_for_token(token) or abort(404)


def edit_rate_limit() -> str:
    return current_app.config["MANAGE_RATE_LIMIT"]


# One budget per client for every POST of the manage pages (save, cancel, confirm, erase) and of the delegates' pages.
manage_limit = limiter.shared_limit(edit_rate_limit, scope="registrant-manage", methods=["POST"])


def _edit_form(registration: Registration, formdata=None):
    """The manage page's form: the registration's details and answers, or what was sent (`formdata`)."""
    event = registration.event
    if registration.is_delegation:
        form_class = delegation_form(event, DelegationDetailsForm)
        if formdata is None:
            form = form_class.for_registration(registration)
        else:
            form = form_class(formdata, max_delegates=event.max_delegation_size, contact_email=registration.email)
    else:
        form_class = individual_form(event, ContactForm)
        form = form_class.for_registration(registration) if formdata is None else form_class()
    load_answers(form, registration, prefill=formdata is None)
    return form


def _substitute_form(registration: Registration, formdata=None):
    """The "Replace a delegate" form, with the event's questions for delegates; None where nobody can be replaced now."""
    if not (registration.is_delegation and registration.may("substitute")):
        return None
    form_class = with_questions(SubstituteForm, registration.event.questions, AskedOf.DELEGATE)
    return form_class(formdata, registration=registration)


def _render(
    registration: Registration,
    token: str,
    edit_form,
    cancel_form,
    error: str | None = None,
    erase_form=None,
    status: int = 200,
    substitute_form=None,
):
    mail_states = delegate_mail_states(registration) if registration.is_delegation else {}
    return render_template(
        "registrant/registration_manage.html",
        registration=registration,
        event=registration.event,
        content=registration.event.content(g.lang),
        token=token,
        position=waitlist_position(registration),
        tickets=tickets(registration),
        edit_form=edit_form,
        cancel_form=cancel_form,
        confirm_form=ConfirmAddressForm(),
        erase_form=erase_form or EraseForm(),
        may_erase=may_erase(registration),
        answers=shared_answers(registration, g.lang),
        error=error,
        substitute_form=substitute_form or _substitute_form(registration),
        takes_substitutions=registration.event.takes_substitutions(),
        to_do=to_do(registration, mail_states),
        invitation=db.session.get(Invitation, registration.invitation_id) if registration.invitation_id else None,
        mail_states=mail_states,
    ), status


@bp.route("/<token>", methods=["GET", "POST"])
@manage_limit
def registration_manage(token: str):
    """See one's registration; POST saves edited details (and, for a delegation, its delegates)."""
    registration = _registration(token)
    if request.method == "GET":
        return _render(registration, token, _edit_form(registration), CancelForm())
    if registration.is_delegation:
        try:
            formdata = bounded_delegation_formdata(with_files(request.form), registration.event.max_delegation_size)
        except DelegationTooLarge as error:
            form = _edit_form(registration, error.formdata)
            return _render(registration, token, form, CancelForm(), error=error.message, status=422)
        form = _edit_form(registration, formdata)
        if form.edit_rows(formdata, request.files) or not form.validate_on_submit():
            return _render(registration, token, form, CancelForm())
    else:
        form = _edit_form(registration, request.form)
        if not form.validate_on_submit():
            return _render(registration, token, form, CancelForm())
    try:
        if registration.is_delegation:
            change = update_delegates(registration.id, form.contact_data(), form.delegate_data(), form.answer_inputs())
        else:
            change = None
            update_contact(registration.id, form.contact_data(), form.answer_inputs())
    except ExchangeError as error:
        return _render(registration, token, form, CancelForm(), error=error.message)
    if change is not None and change.needs_reapproval:
        flash(_("Your changes are saved. Because people were added, the delegation awaits the organizers' approval again."))
    else:
        flash(_("Your changes are saved."))
    return redirect(url_for("registrant.registration_manage", token=token), code=303)


@bp.post("/<token>/substitute")
@manage_limit
def registration_substitute(token: str):
    """The delegation's contact replaces one delegate by another person, until the substitution deadline."""
    registration = _registration(token)
    form = _substitute_form(registration, with_files(request.form))
    if form is None:  # an individual's link, or a delegation no longer holding its seats
        why = refusal(Transition.SUBSTITUTE, registration)
        return _render(registration, token, _edit_form(registration), CancelForm(), error=str(why), status=409)
    if not form.validate_on_submit():
        return _render(registration, token, _edit_form(registration), CancelForm(), substitute_form=form, status=422)
    try:
        new = substitute(registration.id, form.replaces.data, form.delegate_data())
    except ExchangeError as error:
        return _render(registration, token, _edit_form(registration), CancelForm(), substitute_form=form, error=error.message)
    flash(_("%(name)s is now on your delegation's list; the organizers have been told.", name=new.full_name))
    return redirect(url_for("registrant.registration_manage", token=token), code=303)


@bp.post("/<token>/delegates/<key>/resend")
@manage_limit
def delegate_resend(token: str, key: str):
    """The delegation's contact emails one delegate their ticket and personal link again."""
    registration = _registration(token)
    if not ResendForm().validate_on_submit():
        return _render(registration, token, _edit_form(registration), CancelForm(), status=400)
    try:
        delegate = resend_delegate_ticket(registration.id, key)
    except ExchangeError as error:
        return _render(registration, token, _edit_form(registration), CancelForm(), error=error.message, status=409)
    flash(_("%(name)s's ticket is on its way to %(email)s.", name=delegate.full_name, email=delegate.email))
    return redirect(url_for("registrant.registration_manage", token=token), code=303)


@bp.post("/<token>/confirm")
@manage_limit
def registration_confirm(token: str):
    """The delegation's contact confirms their address (the emailed link's page has this button)."""
    registration = _registration(token)
    if not ConfirmAddressForm().validate_on_submit():
        return _render(registration, token, _edit_form(registration), CancelForm(), status=400)
    try:
        confirm_address(registration.id)
    except ExchangeError as error:
        return _render(registration, token, _edit_form(registration), CancelForm(), error=error.message, status=409)
    flash(_("Thank you: your address is confirmed and your delegation's seats stay held."))
    return redirect(url_for("registrant.registration_manage", token=token), code=303)


@bp.post("/<token>/cancel")
@manage_limit
def registration_cancel(token: str):
    """Cancel one's registration, once the confirmation box is ticked."""
    registration = _registration(token)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render(registration, token, _edit_form(registration), form)
    try:
        cancel(registration.id)
    except ExchangeError as error:
        return _render(registration, token, _edit_form(registration), form, error=error.message, status=409)
    flash(_("Your registration is cancelled."))
    return redirect(url_for("registrant.registration_manage", token=token), code=303)


@bp.get("/<token>/calendar.ics")
def registration_calendar(token: str):
    """The event for one's calendar, with a UID stable for this registration."""
    registration = _registration(token)
    response = Response(build_registration_calendar(registration), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.reference}.ics"'
    return response


@bp.get("/<token>/data.json")
def registration_data(token: str):
    """Everything kept about one's registration, as a JSON download."""
    registration = _registration(token)
    response = jsonify(personal_data(registration))
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.reference}.json"'
    return response


@bp.post("/<token>/erase")
@manage_limit
def registration_erase(token: str):
    """Erase one's personal data once the box is ticked; the link stops working."""
    registration = _registration(token)
    form = EraseForm()
    if not form.validate_on_submit():
        return _render(registration, token, _edit_form(registration), CancelForm(), erase_form=form)
    try:
        erase_registration(registration.id)
    except ExchangeError as error:
        return _render(
            registration, token, _edit_form(registration), CancelForm(), error=error.message, erase_form=form, status=409
        )
    flash(_("Your personal data is erased. This link no longer opens anything."))
    return redirect(url_for("public.home", lang=g.lang), code=303)
