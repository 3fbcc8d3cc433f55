"""The app with one extra route that fails with a database error: the logs test's forced 500.

Served by gunicorn as `forced_error_app:app` (with --pythonpath tests/e2e); the app itself has no such route.
"""

from flask import request
from sqlalchemy import text

from exchange import create_app
from exchange.extensions import db

app = create_app()


@app.get("/organizer/test-only/fail")
def fail():
    # A statement that fails with personal data bound to it, as a bug in a search might.
    db.session.execute(
        text("SELECT * FROM no_such_table WHERE token = :token AND email = :email AND full_name = :name"),
        {name: request.args.get(name, "") for name in ("token", "email", "name")},
    )
    return "unreachable"
