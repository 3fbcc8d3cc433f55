"""Nothing personal reaches a log: tokens, ticket codes, emails, names, searches.

The main test drives real flows through gunicorn with the production
config (registration, the manage page and its calendar, error pages, a
sign-in, back-office searches, a ticket scan, a forced 500 whose failed
statement has personal data bound to it) and then reads every line that
gunicorn, the app and SQLAlchemy wrote, access and error logs alike.
"""

from __future__ import annotations

import http.cookiejar
import logging
import re
import urllib.error
import urllib.request
from urllib.parse import quote, quote_plus, urlencode

from exchange.logs import redact
from exchange.services.tickets import ticket_code

NAME = "Nguyễn Thị Lan"
EMAIL = "lan.nguyen@example.com"
ORGANIZER = "organizer@example.org"
PASSWORD = "correct horse battery staple"  # make_user's


class Browser:
    """urllib with cookies; `page` answers (status, final URL, text) and never raises on 4xx/5xx."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def page(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        data = urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base_url + path, data=data, timeout=10) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def csrf_token(self, path: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.page(path)[2]).group(1)


def _forms_of(*values: str) -> set[str]:
    """Each value as it may be written in a log: raw, percent-encoded, form-encoded."""
    return {form for value in values for form in (value, quote(value, safe=""), quote_plus(value), quote(value))}


def test_no_log_line_holds_a_token_an_email_a_name_or_a_search(start_server, make_event, make_user, tmp_path):
    event = make_event(slug="yoga-day-2031")
    make_user(ORGANIZER, events=[event])
    with start_server(
        workers=1, extra_args=["-c", "gunicorn.conf.py", "--pythonpath", "tests/e2e"], app="forced_error_app:app"
    ) as base_url:
        visitor = Browser(base_url)
        register_path = f"/en/events/{event.slug}/register"
        form = {
            "csrf_token": visitor.csrf_token(register_path), "full_name": NAME, "email": EMAIL, "phone": "0912 345 678",
            "category": "student", "organization": "Đại học Cần Thơ", "country": "VN", "consent": "y",
        }  # fmt: skip
        status, manage_url, page = visitor.page(register_path, form)
        assert status == 200 and "/en/r/" in manage_url and NAME in page
        token = manage_url.rsplit("/r/", 1)[1]
        assert visitor.page(f"/en/r/{token}/calendar.ics")[0] == 200
        made_up_token = "Zx8sQd1Lw0-aVbNm4pTr7uYe2iOo3hJk5gFf6dSs9qW"
        assert visitor.page(f"/vi/r/{made_up_token}")[0] == 404
        assert visitor.page(f"/en/events/{quote(EMAIL)}/")[0] == 404

        organizer = Browser(base_url)
        next_path = f"/organizer/events/{event.slug}/registrations?q={quote(NAME)}"
        login_path = f"/organizer/login?next={quote(next_path, safe='')}"
        status, url, page = organizer.page(
            login_path,
            {"csrf_token": organizer.csrf_token(login_path), "email": ORGANIZER, "password": PASSWORD, "next": next_path},
        )
        assert status == 200 and "/registrations" in url and NAME in page
        assert EMAIL in organizer.page(f"/organizer/events/{event.slug}/registrations?q={quote(EMAIL)}")[2]
        assert NAME in organizer.page(f"/organizer/events/{event.slug}/checkin?q={quote(NAME)}")[2]
        code = _ticket_of(event.id)
        assert organizer.page(f"/organizer/tickets/{code}")[0] in (200, 409)  # 409: the event is not today
        assert organizer.page(f"/organizer/tickets/{code}x")[0] == 404

        query = urlencode({"token": token, "email": EMAIL, "name": NAME})
        assert organizer.page(f"/organizer/test-only/fail?{query}")[0] == 500

    log = "\n".join(path.read_text(errors="replace") for path in tmp_path.glob("gunicorn-*.log"))
    assert "Unhandled error on GET /organizer/test-only/fail" in log  # the forced 500 and its traceback were logged
    assert "no_such_table" in log
    assert re.search(r'"GET /en/r/\[token\] HTTP/1.1" 200', log)  # the access log has the requests, redacted
    assert "/organizer/events/yoga-day-2031/registrations?[query]" in log
    secrets = _forms_of(token, made_up_token, code, EMAIL, NAME, ORGANIZER, PASSWORD)
    leaks = sorted({secret for secret in secrets if secret in log})
    assert not leaks, f"{leaks} in the logs:\n{log[-5000:]}"


def _ticket_of(event_id: int) -> str:
    """The ticket code of the event's registration, signed with the key start_server gives gunicorn."""
    from flask import current_app
    from sqlalchemy import select

    from exchange.extensions import db
    from exchange.models import Registration

    db.session.rollback()  # see what the server committed
    registration = db.session.scalar(select(Registration).where(Registration.event_id == event_id))
    current_app.config["SECRET_KEY"] = "e2e-secret-key"
    return ticket_code(registration.ticket_key)


def test_every_logger_is_redacted(app, caplog):
    token = "lLI-yUWZXXD5qYOEn8GSbHA_fxikJhQzenw6hakGx9s"
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('"%s" %s', f"GET /km/r/{token}/calendar.ics HTTP/1.1", 200)
        logging.getLogger("sqlalchemy.engine").info("SELECT %s", "lan@example.com")
        logging.getLogger("gunicorn.error").info("%s", "GET /organizer/events/x/checkin?q=Nguy%E1%BB%85n")
        try:
            raise ValueError(f"no row for lan%40example.com at /organizer/tickets/{token}")
        except ValueError:
            app.logger.exception("failed")
    assert "GET /km/r/[token]/calendar.ics" in caplog.text
    assert "/organizer/events/x/checkin?[query]" in caplog.text
    assert "no row for [email] at /organizer/tickets/[ticket]" in caplog.text
    for secret in (token, "lan@example.com", "lan%40example.com", "Nguy"):
        assert secret not in caplog.text


def test_redaction_leaves_other_text_alone():
    line = '127.0.0.1 "GET /en/events/?category=culture&page=2 HTTP/1.1" 200 "Cần Thơ" no-reply@localhost'
    assert redact(line) == line
