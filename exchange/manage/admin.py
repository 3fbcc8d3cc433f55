"""Administration: accounts and their events, the audit log, the outbox.

Its own blueprint with its own guard: only administrators get past it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import ExchangeError
from ..extensions import db
from ..http import page_number
from ..models import AuditEntry, Event, OutboxMessage, OutboxStatus, User, UserRole
from ..services.accounts import create_user, update_user
from ..services.audit import Actor
from ..services.mailer import retry_message
from .forms import UserForm

bp = Blueprint("admin", __name__, url_prefix="/organizer/admin")
PER_PAGE = 50


@bp.before_request
@login_required
def require_admin():
    """Administrators only; for anyone else these pages do not exist."""
    if not current_user.is_admin:
        abort(404)
    g.actor = Actor(user=current_user._get_current_object(), ip_address=request.remote_addr or "")


def _all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc())))


@bp.get("/users")
def user_list():
    """Every account, its role and its events."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/user_list.html", users=users)


@bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    """Open an account: administrator, organizer, door staff or viewer."""
    form = UserForm(all_events=_all_events())
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.password.data or "", UserRole(form.role.data))
            update_user(
                g.actor, user.id, role=user.role, active=form.active.data, event_ids=form.events.data or [],
                may_export=form.may_export.data,
            )  # fmt: skip
            flash(_("The account is created."))
            return redirect(url_for("admin.user_list"), code=303)
        except ExchangeError as error:
            form.password.errors.append(error.message)
    return render_template("admin/user_edit.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Change an account's role, whether it may sign in, and the events it manages."""
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(all_events=_all_events()) if request.method == "POST" else UserForm.for_user(user, _all_events())
    if form.validate_on_submit():
        try:
            update_user(
                g.actor, user.id, role=UserRole(form.role.data), active=form.active.data, event_ids=form.events.data or [],
                may_export=form.may_export.data,
            )  # fmt: skip
            flash(_("The account is saved."))
            return redirect(url_for("admin.user_list"), code=303)
        except ExchangeError as error:
            flash(error.message, "error")
    return render_template("admin/user_edit.html", form=form, user=user)


@bp.get("/audit")
def audit_log():
    """Who did what, when and from where, newest first."""
    query = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.event).lazyload(Event.translations), selectinload(AuditEntry.registration))
        .order_by(AuditEntry.id.desc())
    )
    page = db.paginate(query, page=page_number(request.args), per_page=PER_PAGE, error_out=False)
    return render_template("admin/audit_log.html", page=page)


@bp.get("/outbox")
def outbox():
    """Queued, sent and failed email; failed messages can be retried."""
    status = request.args.get("status", "failed")
    status = OutboxStatus(status) if status in OutboxStatus._value2member_map_ else OutboxStatus.FAILED
    query = select(OutboxMessage).where(OutboxMessage.status == status).order_by(OutboxMessage.id.desc())
    page = db.paginate(query, page=page_number(request.args), per_page=PER_PAGE, error_out=False)
    return render_template("admin/outbox.html", page=page, status=status, statuses=list(OutboxStatus))


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    """Put a failed message back in the queue, to be sent at the next round."""
    if not retry_message(g.actor, message_id):
        abort(404)
    flash(_("The message is back in the queue."))
    return redirect(url_for("admin.outbox", status="failed"), code=303)
