"""Signing organizers in and out (with an optional second factor), and their own account settings."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from ..errors import ExchangeError
from ..extensions import limiter
from ..models import User
from ..services import two_factor
from ..services.accounts import (
    change_password,
    check_credentials,
    end_sessions,
    normalise_email,
    record_sign_in,
    set_language,
)
from . import throttle
from .forms import LanguageForm, LoginForm, PasswordForm, TwoFactorCodeForm, TwoFactorDisableForm
from .sessions import load_user, two_factor_required

bp = Blueprint("auth", __name__, url_prefix="/organizer")

# Between the password and the second factor: the account, when, and where to go afterwards.
PENDING_KEY = "_pending_sign_in"
PENDING_SECONDS = 300
# A TOTP secret shown for enrolment but not confirmed yet.
SETUP_KEY = "_totp_setup"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or protocol-relative URL would send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("manage.dashboard")


def _too_many_attempts(template: str, form, field):
    field.errors.append(_("Too many wrong attempts for this account. Please wait a few minutes and try again."))
    return render_template(template, form=form), 429


def _complete_sign_in(user: User, target: str | None):
    session.pop(PENDING_KEY, None)
    login_user(record_sign_in(user.id))
    response = redirect(_safe_next(target), code=303)
    throttle.remember_device(response, user.email)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"])
def login():
    """Sign in with email and password; `next` says where to go afterwards (after a second factor if set up)."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        key = throttle.throttle_key(normalise_email(form.email.data))
        if throttle.is_locked(key):
            return _too_many_attempts("auth/login.html", form, form.password)
        user = check_credentials(form.email.data, form.password.data)
        if user is None:
            throttle.count_failure(key)
            form.password.errors.append(_("The email address or the password is not right."))
        elif user.totp_secret:
            session[PENDING_KEY] = {"id": user.get_id(), "at": int(time.time()), "next": form.next.data or ""}
            return redirect(url_for("auth.login_two_factor"), code=303)
        else:
            return _complete_sign_in(user, form.next.data)
    return render_template("auth/login.html", form=form)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int) or not isinstance(pending.get("id"), str):
        return None, {}
    if time.time() - pending["at"] > PENDING_SECONDS:
        return None, {}
    return load_user(pending["id"]), pending


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"])
def login_two_factor():
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("manage.dashboard"))
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        return redirect(url_for("auth.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        key = throttle.throttle_key(user.email)
        if throttle.is_locked(key):
            return _too_many_attempts("auth/login_two_factor.html", form, form.code)
        if two_factor.verify(user.id, form.code.data):
            return _complete_sign_in(user, pending.get("next"))
        throttle.count_failure(key)
        form.code.errors.append(_("This code is not right. Check the clock of your phone and try the next code."))
    return render_template("auth/login_two_factor.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST, so no link or image can sign anyone out); a copy of the session cookie stops working too."""
    end_sessions(current_user.id)
    logout_user()
    return redirect(url_for("auth.login"), code=303)


@bp.post("/account/sessions/end")
@login_required
def sessions_end():
    """Sign out of every other browser and device; this one stays signed in."""
    if FlaskForm().validate_on_submit():
        login_user(end_sessions(current_user.id))
        flash(_("You are signed out on every other device."))
    return redirect(url_for("auth.account"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change one's password or the back office's language; see two-factor sign-in and other sessions."""
    password_form, language_form = (
        PasswordForm(prefix="password"),
        LanguageForm(prefix="language", language=current_user.language),
    )
    if request.method == "POST":
        try:
            if "password-new_password" in request.form and password_form.validate_on_submit():
                user = change_password(current_user.id, password_form.current_password.data, password_form.new_password.data)
                login_user(user)  # this session goes on; every other one ended with the old password
                flash(_("Your password is changed. You are signed out on every other device."))
                return redirect(url_for("auth.account"), code=303)
            if "language-language" in request.form and language_form.validate_on_submit():
                set_language(current_user.id, language_form.language.data)
                return redirect(url_for("auth.account"), code=303)
        except ExchangeError as error:
            password_form.new_password.errors.append(error.message)
    return render_template(
        "auth/account.html", password_form=password_form, language_form=language_form,
        recovery_codes_left=two_factor.recovery_codes_left(current_user.id) if current_user.totp_secret else None,
    )  # fmt: skip


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Set up two-factor sign-in (QR code, then a code to confirm), replace recovery codes, or turn it off."""
    code_form, disable_form, codes_form = TwoFactorCodeForm(prefix="setup"), TwoFactorDisableForm(prefix="off"), FlaskForm()
    recovery_codes = None
    action = request.form.get("action")
    try:
        if action == "enable" and not current_user.totp_secret and SETUP_KEY in session and code_form.validate_on_submit():
            recovery_codes = two_factor.enable(current_user.id, session[SETUP_KEY], code_form.code.data)
            session.pop(SETUP_KEY)
        elif action == "codes" and current_user.totp_secret and codes_form.validate_on_submit():
            recovery_codes = two_factor.replace_recovery_codes(current_user.id)
        elif action == "disable" and current_user.totp_secret and disable_form.validate_on_submit():
            two_factor.disable(current_user.id, disable_form.password.data)
            flash(_("Two-factor sign-in is turned off."))
            return redirect(url_for("auth.account"), code=303)
    except ExchangeError as error:
        (code_form.code if action == "enable" else disable_form.password).errors.append(error.message)
    qr = None
    if not current_user.totp_secret:
        secret = session.setdefault(SETUP_KEY, two_factor.new_secret())
        qr = (two_factor.enrolment_qr_svg(secret, current_user.email), secret)
    return render_template(
        "auth/two_factor.html", code_form=code_form, disable_form=disable_form, codes_form=codes_form, qr=qr,
        recovery_codes=recovery_codes, required=two_factor_required(current_user),
    )  # fmt: skip
