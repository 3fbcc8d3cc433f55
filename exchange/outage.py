"""When the database does not answer: a 503 with Retry-After, and what the visitor sent kept to send again.

A registration POST that meets a database outage changed nothing (its
transaction rolled back), so the visitor gets their form back as hidden
fields with one "Send again" button, instead of an error page that loses
what they typed on a phone.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .extensions import db

RETRY_AFTER_SECONDS = 5
# Fields worth sending again: a form's own values, never an upload, within the size of a real form.
_MAX_KEPT_FIELDS = 1000


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (as opposed to a bug in a statement).

    A connection refused, cut or not allowed (PostgreSQL's connection and
    operator-intervention classes, or no SQLSTATE at all: the client could not
    connect), SQLite's write lock held past the busy timeout, or the pool
    exhausted. "No such table" or a syntax error stays a 500.
    """
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, OperationalError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    sqlstate = getattr(original, "sqlstate", "")
    if sqlstate is None or (sqlstate and sqlstate.startswith(("08", "57P", "53"))):
        return True
    message = str(original).lower()
    return "database is locked" in message or "does not allow connections" in message


def unavailable(app: Flask, error: Exception):
    """The 503 answer: JSON for the API, else a page that keeps a POST's fields to send again."""
    _forget_the_connection()
    rule = request.url_rule.rule if request.url_rule else "an unrouted path"
    # The driver's first line only: hide_parameters keeps bound values out of it.
    app.logger.warning("Database unavailable on %s %s: %s", request.method, rule, str(error).splitlines()[0][:200])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.path.startswith("/api/") or request.path == "/healthz":
        return {"error": _("The service is busy. Please try again in a moment."), "status": 503}, 503, headers
    kept = list(request.form.items(multi=True))[:_MAX_KEPT_FIELDS] if request.method == "POST" else []
    page = render_template("errors/503.html", error_page=True, kept=kept, action=request.path)
    return page, 503, headers


def _forget_the_connection() -> None:
    """Drop the session and its connection, which may be dead, so the next request starts clean."""
    try:
        db.session.rollback()
    except Exception:
        pass  # the connection is already gone: removing the session is all that is left to do
    db.session.remove()
