"""One logging setup: no log line holds a manage token, a ticket code, an email address or a search.

Anyone who reads a log could otherwise open a registration (its /r/<token>
link), check someone in (a ticket URL), or learn who registered (emails,
and names typed into the back office's searches). Instead of a filter per
logger, which misses records that loggers without it create (the app's,
SQLAlchemy's, gunicorn's error log, libraries'), `install()` wraps the
standard library's log record factory, so every record is redacted when it
is created, whatever logger or handler it goes to. gunicorn.conf.py
installs it in gunicorn's master; create_app() in every process.
"""

from __future__ import annotations

import logging
import re

_REPLACEMENTS = (
    # Manage links: /<lang>/r/<token>[/...]
    (re.compile(r"(/r/)[^/\s\"'?#]+"), r"\1[token]"),
    # Ticket check-in URLs carry a signed code.
    (re.compile(r"(/organizer/tickets/)[^\s\"'?#]+"), r"\1[ticket]"),
    # Back-office query strings hold searches (names, emails) and return addresses that hold them.
    (re.compile(r"(/organizer(?:/[^\s\"'?#]*)?)\?[^\s\"'#]*"), r"\1?[query]"),
    # Email addresses, also percent-encoded (lan%40example.com) and in any script.
    (re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+"), "[email]"),
)


def redact(text: str) -> str:
    """`text` without tokens, ticket codes, back-office query strings or email addresses."""
    for pattern, replacement in _REPLACEMENTS:
        text = pattern.sub(replacement, text)
    return text


_FORMATTER = logging.Formatter()


class _Redacted:
    """Marks the record factory installed here, so installing twice wraps it once."""

    def __init__(self, factory):
        self.factory = factory

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging itself reports it when the record is formatted
            return record
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            # Exception messages quote values (a database error's DETAIL line, a URL); the
            # formatter prints exc_text instead of formatting exc_info again.
            record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record


def install() -> None:
    """Redact every log record created in this process from now on (once, however often it is called)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _Redacted):
        logging.setLogRecordFactory(_Redacted(factory))
