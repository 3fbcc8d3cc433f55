"""Site-wide URLs outside the locale prefix."""

from flask import Blueprint, redirect, url_for
from sqlalchemy import text

from ..extensions import db
from ..i18n import preferred_locale

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
