"""Invitations in the back office: reserve seats for a partner, see what they used, extend, resend or revoke.

Registered on the `manage` blueprint, behind its guard; the rules are services/invitations.py's.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from ..errors import ExchangeError
from ..extensions import db
from ..models import Invitation
from ..services.invitations import InvitationDraft, deadline_on, event_invitations, extend, invite, resend, revoke
from .forms import InvitationDeadlineForm, InvitationForm, MessageForm
from .views import _event_or_404, bp

INVITATION_ACTIONS = ("extend", "resend", "revoke")


@bp.route("/events/<slug>/invitations", methods=["GET", "POST"])
def event_invitations_page(slug: str):
    """The event's invitations with their uptake; POST invites one more partner (and emails them)."""
    event = _event_or_404(slug)
    form = InvitationForm()
    if form.validate_on_submit():
        draft = InvitationDraft(
            organization=form.organization.data,
            email=form.email.data,
            language=form.language.data,
            seats=form.seats.data,
            deadline=deadline_on(event, form.deadline.data),
        )
        try:
            invitation = invite(g.actor, event.id, draft)
        except ExchangeError as error:
            flash(error.message, "error")
        else:
            flash(_("%(organization)s is invited; the invitation is on its way.", organization=invitation.organization))
            return redirect(url_for("manage.event_invitations_page", slug=slug), code=303)
    return render_template(
        "manage/event_invitations.html",
        event=event,
        form=form,
        deadline_form=InvitationDeadlineForm(formdata=None),
        uptake=event_invitations(event),
    )


@bp.post("/events/<slug>/invitations/<int:invitation_id>/<action>")
def invitation_action(slug: str, invitation_id: int, action: str):
    """Extend (with a new deadline), resend or revoke one of the event's invitations."""
    event = _event_or_404(slug)
    invitation = db.session.get(Invitation, invitation_id) if invitation_id < 2**31 else None
    if invitation is None or invitation.event_id != event.id or action not in INVITATION_ACTIONS:
        abort(404)
    form = InvitationDeadlineForm() if action == "extend" else MessageForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(str(errors[0]), "error")
        return redirect(url_for("manage.event_invitations_page", slug=slug), code=303)
    try:
        if action == "extend":
            extend(g.actor, invitation.id, deadline_on(event, form.deadline.data))
            flash(_("The deadline is changed."))
        elif action == "resend":
            resend(g.actor, invitation.id)
            flash(_("The invitation is on its way again."))
        else:
            revoke(g.actor, invitation.id)
            flash(_("The invitation is revoked; its unused seats are free again."))
    except ExchangeError as error:
        flash(error.message, "error")
    return redirect(url_for("manage.event_invitations_page", slug=slug), code=303)
