"""Keep manage tokens out of logs: anyone who reads a log line could open the registration."""

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/r/)[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    """`text` with every /r/<token> path written as /r/[token]."""
    return _TOKEN_IN_PATH.sub(r"\1[token]", text)


class RedactTokens(logging.Filter):
    """A logging filter for request logs (the development server's, gunicorn's error log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/r/" in message:
            record.msg, record.args = redact(message), ()
        return True


def install() -> None:
    """Filter the development server's request log (once, however many apps are created)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())
