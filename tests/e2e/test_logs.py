"""Manage tokens never reach a log file."""

import logging
import re
import urllib.request

from exchange.logs import RedactTokens
from exchange.services.registrations import register


def test_gunicorn_access_log_blanks_the_token(start_server, make_event, individual, tmp_path):
    event = make_event()
    token = register(event.id, individual()).token
    access_log = tmp_path / "access.log"
    with start_server(workers=1, extra_args=["-c", "gunicorn.conf.py", "--access-logfile", str(access_log)]) as base_url:
        with urllib.request.urlopen(f"{base_url}/vi/r/{token}") as response:
            assert response.status == 200
    text = access_log.read_text()
    assert "GET /vi/r/[token]" in text
    assert token not in text


def test_development_server_log_blanks_the_token(app, caplog):
    token = "lLI-yUWZXXD5qYOEn8GSbHA_fxikJhQzenw6hakGx9s"
    logger = logging.getLogger("werkzeug")
    assert [type(existing) for existing in logger.filters] == [RedactTokens]
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - [%s] "%s" %s', "127.0.0.1", "now", f"GET /km/r/{token}/calendar.ics HTTP/1.1", 200)
    assert re.search(r"GET /km/r/\[token\]/calendar.ics", caplog.text)
    assert token not in caplog.text
