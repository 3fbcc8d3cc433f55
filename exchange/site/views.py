"""Site-wide URLs outside the locale prefix."""

from flask import Blueprint, abort, redirect, send_from_directory, url_for
from sqlalchemy import text

from ..caching import IMMUTABLE
from ..extensions import db
from ..i18n import preferred_locale
from ..services.images import media_dir, media_type

bp = Blueprint("site", __name__)


@bp.get("/")
def root():
    """Send the visitor to the home page in their language (cookie, then Accept-Language)."""
    response = redirect(url_for("public.home", lang=preferred_locale()), code=302)
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/healthz")
def healthz():
    """200 when the app answers and its database runs a query; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/media/<name>")
def media_file(name: str):
    """A cover image file; its name holds its fingerprint, so browsers and proxies keep it a year."""
    mimetype = media_type(name)  # only names this site writes: no path, no other file of the directory
    if mimetype is None:
        abort(404)
    response = send_from_directory(media_dir(), name, mimetype=mimetype, conditional=True)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
