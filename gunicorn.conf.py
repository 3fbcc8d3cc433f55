"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Override any of them on the command line (`--workers 8`) or with GUNICORN_CMD_ARGS.
"""

import multiprocessing

from gunicorn.glogging import Logger

from exchange.logs import redact

bind = "0.0.0.0:8000"
workers = multiprocessing.cpu_count() * 2 + 1
timeout = 30
accesslog = "-"


class TokenRedactingLogger(Logger):
    """Gunicorn's logger, with manage tokens blanked out of access log lines."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):  # request line, path, referer
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = TokenRedactingLogger
