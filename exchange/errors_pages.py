"""Error pages: translated HTML for people, JSON for the API."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from . import outage
from .extensions import db


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            # The error's own headers still apply to JSON: Allow on a 405, Retry-After on a 429.
            headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
            return {"error": error.name, "status": error.code}, error.code, headers
        if error.code not in (404, 413, 500):
            return error
        return render_template(f"errors/{error.code}.html", error_page=True), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if outage.is_outage(error):
            return outage.unavailable(app, error)
        # Whatever failed mid-transaction must not leak into the next request.
        db.session.rollback()
        # The route's pattern (/<lang>/r/<token>), not the path: paths hold tokens and ticket codes.
        rule = request.url_rule.rule if request.url_rule else "an unrouted path"
        app.logger.exception("Unhandled error on %s %s", request.method, rule)
        if request.path.startswith("/api/"):
            return {"error": _("Internal server error"), "status": 500}, 500
        return render_template("errors/500.html", error_page=True), InternalServerError.code
