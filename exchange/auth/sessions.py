"""Which signed-in sessions still count.

The login id kept in the session is "<account id>:<session version>" (`User.get_id`); raising
the account's version (sign-out, password change, deactivation, "sign out of all devices")
makes every session signed in before it anonymous on its next request. A back-office session
also ends after BACK_OFFICE_IDLE_MINUTES without a request.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..extensions import db, login_manager
from ..models import User

# Larger numbers are no account of ours; refusing them also spares the database an overflow.
_MAX_ID_DIGITS = 18
LAST_SEEN_KEY = "_seen"
# The time of the last request is written back at most this often, not on every request.
_LAST_SEEN_RESOLUTION = 60


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    app.before_request(end_idle_session)
    app.before_request(require_two_factor_setup)


def load_user(login_id: str) -> User | None:
    """The account of a session's login id, if it is active and the session's version is current."""
    user_id, _, version = login_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or max(len(user_id), len(version)) > _MAX_ID_DIGITS:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def end_idle_session() -> None:
    """Sign out a session that has been idle too long; the guard then sends it to the sign-in page."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    last_seen = session.get(LAST_SEEN_KEY)
    if isinstance(last_seen, int) and now - last_seen > current_app.config["BACK_OFFICE_IDLE_MINUTES"] * 60:
        logout_user()
        session.pop(LAST_SEEN_KEY, None)
        flash(_("You were signed out after a while without activity. Please sign in again."))
        return
    if not isinstance(last_seen, int) or now - last_seen >= _LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_KEY] = now


def two_factor_required(user: User) -> bool:
    return user.is_admin and current_app.config["TWO_FACTOR_REQUIRED_FOR_ADMINS"]


# Pages an administrator without a second factor may still open: to set it up, or to leave.
_ALLOWED_BEFORE_SETUP = frozenset({"auth.two_factor_setup", "auth.logout", "auth.login", "static"})


def require_two_factor_setup():
    """Administrators must set up two-factor sign-in before any back-office page (unless configured off)."""
    if request.blueprint not in ("manage", "admin", "auth") or request.endpoint in _ALLOWED_BEFORE_SETUP:
        return None
    if current_user.is_authenticated and two_factor_required(current_user) and not current_user.totp_secret:
        flash(_("Administrators need two-factor sign-in. Please set it up to continue."))
        return redirect(url_for("auth.two_factor_setup"), code=303)
    return None
