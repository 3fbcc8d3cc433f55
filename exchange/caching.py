"""The public page cache, conditional GET, compression and fingerprinted static files.

Public pages, the API and the feeds are kept in Flask-Caching under a key made of the path, the
query, the language, the *content version* and the *next time boundary*:

- the content version is a random token stored in the cache and replaced after every commit
  that changed an event or its content, seats taken or freed included (by any path: register,
  cancel, promote, approve, edit, expiry...: each updates the event's seat counter). A token rather than a counter, so two
  processes replacing it at once can never land on the same value a reader cached under.
- the next boundary is the soonest moment at which a public event's registration opens or
  closes, or the event starts or ends: pages computed before it are never served after it.

A visitor who brings a session cookie (an organizer, or a flash message waiting) is served
fresh, since the page may show what the session holds. Responses carry an ETag and answer
If-None-Match with 304; shared caches may store them but must revalidate each time.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache, wraps
from pathlib import Path

from flask import Flask, Response, current_app, has_app_context, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session

from .extensions import cache, db
from .models import Event, EventTranslation, utcnow

compress = Compress()

VERSION_KEY = "content-version"
BOUNDARY_KEY = "next-boundary:{version}"
# Rows whose change can show on a public page, the API or a feed. Registrations show there only
# through the event's seat counter (an UPDATE of the event row), so a check-in or an edited
# phone number leaves every cached page valid.
PUBLIC_MODELS = (Event, EventTranslation)
_CHANGED = "public_content_changed"
# Kept by browsers and proxies, and stored by them for a year: the URL changes with the content.
IMMUTABLE = "public, max-age=31536000, immutable"
# Anyone may store a public page, but must ask again (a cheap 304) before each use: seat counts change.
REVALIDATE = "public, no-cache"
STATIC_ENDPOINTS = frozenset({"static", "static_versioned"})


def init_app(app: Flask) -> None:
    if app.config["CACHE_TYPE"] == "FileSystemCache" and not app.config.get("CACHE_DIR"):
        app.config["CACHE_DIR"] = str(Path(app.instance_path) / "cache")
    if app.config.get("CACHE_KEY_PREFIX") is None:
        # One cache directory or Redis database may serve installations on different databases.
        database = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
        app.config["CACHE_KEY_PREFIX"] = f"exchange:{database}:"
    cache.init_app(app)
    compress.init_app(app)
    app.add_url_rule(f"{app.static_url_path}/v/<fingerprint>/<path:filename>", "static_versioned", static_versioned)
    app.jinja_env.globals["static_url"] = static_url
    app.session_interface = PublicSessionInterface()


# -- invalidation ---------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _note_flushed_changes(session: Session, _context, _instances) -> None:
    changed = (*session.new, *session.deleted, *(obj for obj in session.dirty if session.is_modified(obj)))
    if any(isinstance(obj, PUBLIC_MODELS) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state: ORMExecuteState) -> None:
    # The seat allocator writes with UPDATE statements, which no flush sees.
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None:
        if issubclass(state.bind_mapper.class_, PUBLIC_MODELS):
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_version_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        try:
            bump_content_version()
        except Exception:  # the change is committed: the visitor must not get an error page for it
            current_app.logger.exception("The page cache could not be invalidated; pages may be stale")


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back_changes(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed (and bumped) or rolled back
        session.info.pop(_CHANGED, None)


def bump_content_version() -> None:
    """Make every cached page stale; called after each commit that changed public content."""
    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=0)


def content_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache.add(VERSION_KEY, version, timeout=0)
        version = cache.get(VERSION_KEY) or version
    return version


def next_boundary(version: str, now: datetime) -> float | None:
    """The POSIX time of the next window opening or closing, start or end of a public event; None if none is left."""
    key = BOUNDARY_KEY.format(version=version)
    stored = cache.get(key)
    if stored is not None and (stored == "none" or stored > now.timestamp()):
        return None if stored == "none" else stored
    columns = (Event.registration_opens_at, Event.registration_closes_at, Event.starts_at, Event.ends_at)
    soonest = [
        moment
        for moment in db.session.execute(
            # >=: an event ending at `now` is still listed now and gone a moment later.
            select(*(select(func.min(column)).where(column >= now).scalar_subquery() for column in columns))
        ).one()
        if moment is not None
    ]
    boundary = min(soonest).timestamp() if soonest else None
    cache.set(key, "none" if boundary is None else boundary, timeout=current_app.config["CACHE_DEFAULT_TIMEOUT"])
    return boundary


# -- cached responses -----------------------------------------------------------------------------


def cached_page(language=None, vary=None):
    """Serve a GET view from the page cache, with an ETag and 304s.

    `language` returns the language the response is in, when neither the path nor the query
    says it; `vary` returns the request headers that chose it (sent in Vary).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method not in ("GET", "HEAD") or current_app.config["SESSION_COOKIE_NAME"] in request.cookies:
                return view(*args, **kwargs)
            now = utcnow()
            version = content_version()
            boundary = next_boundary(version, now)
            query = sorted(request.args.items(multi=True))
            key = f"page:{version}:{boundary}:{language() if language else ''}:{request.path}?{query}"
            entry = cache.get(key)
            if entry is None:
                response = current_app.make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.is_streamed:
                    return response
                body = response.get_data()
                headers = [(name, value) for name, value in response.headers if name != "Set-Cookie"]
                entry = (body, headers, hashlib.sha256(body).hexdigest()[:32])
                timeout = current_app.config["CACHE_DEFAULT_TIMEOUT"]
                if boundary is not None:
                    timeout = max(1, min(timeout, int(boundary - now.timestamp()) + 1))
                cache.set(key, entry, timeout=timeout)
            return _conditional_response(*entry, vary() if vary else ())

        return wrapper

    return decorate


def _conditional_response(body: bytes, headers: list, etag: str, vary: tuple[str, ...]) -> Response:
    """The stored page, or 304 when the client holds it (in any encoding Flask-Compress gave it)."""
    for tag in request.if_none_match.as_set():
        if tag.partition(":")[0] == etag:
            response = Response(status=304)
            response.set_etag(tag)
            break
    else:
        response = Response(body, headers=headers)
        response.set_etag(etag)
    response.headers["Cache-Control"] = REVALIDATE
    response.vary.update(vary)
    return response


class PublicSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions that leave `Vary: Cookie` off public responses which never read one.

    Flask adds `Vary: Cookie` whenever anything looked at the session, and Flask-Login, the
    idle-session check and the flash messages of the layout look on every request. A cached
    page is only served to visitors without a session cookie and its body is the same for all
    of them; a static file is the same for everyone. A response that sets a
    cookie (the language cookie on a first visit) stays that visitor's own.
    """

    def save_session(self, app: Flask, session, response: Response) -> None:
        cache_control = response.headers.get("Cache-Control")
        if not session.modified and (request.endpoint in STATIC_ENDPOINTS or (cache_control == REVALIDATE and not session)):
            session.accessed = False
        super().save_session(app, session, response)
        if cache_control == REVALIDATE and "Set-Cookie" in response.headers:
            response.headers["Cache-Control"] = "private, no-cache"


# -- static files ---------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _fingerprint(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _static_fingerprint(filename: str) -> str | None:
    path = Path(current_app.static_folder or "") / filename
    try:
        return _fingerprint(str(path), path.stat().st_mtime_ns)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def static_url(filename: str) -> str:
    """The URL of a static file with its content hash in the path, kept by browsers for a year."""
    fingerprint = _static_fingerprint(filename)
    if fingerprint is None:
        raise FileNotFoundError(filename)
    return url_for("static_versioned", fingerprint=fingerprint, filename=filename)


def static_versioned(fingerprint: str, filename: str) -> Response:
    """A static file at its fingerprinted URL; an old fingerprint gets the current file, not kept long."""
    response = send_from_directory(current_app.static_folder or "", filename)
    if fingerprint == _static_fingerprint(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    return response
