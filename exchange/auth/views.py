"""Signing organizers in and out, and their own account settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import ExchangeError
from ..extensions import limiter
from ..services.accounts import authenticate, change_password, set_language
from .forms import LanguageForm, LoginForm, PasswordForm

bp = Blueprint("auth", __name__, url_prefix="/organizer")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or protocol-relative URL would send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("manage.dashboard")


def _login_account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_login_account_key)
def login():
    """Sign in with email and password; `next` says where to go afterwards."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(form.next.data), code=303)
        form.password.errors.append(_("The email address or the password is not right."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out (a POST, so no link or image can sign anyone out)."""
    logout_user()
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change one's password or the back office's language."""
    password_form, language_form = (
        PasswordForm(prefix="password"),
        LanguageForm(prefix="language", language=current_user.language),
    )
    if request.method == "POST":
        try:
            if "password-new_password" in request.form and password_form.validate_on_submit():
                change_password(current_user.id, password_form.current_password.data, password_form.new_password.data)
                flash(_("Your password is changed."))
                return redirect(url_for("auth.account"), code=303)
            if "language-language" in request.form and language_form.validate_on_submit():
                set_language(current_user.id, language_form.language.data)
                return redirect(url_for("auth.account"), code=303)
        except ExchangeError as error:
            password_form.new_password.errors.append(error.message)
    return render_template("auth/account.html", password_form=password_form, language_form=language_form)
