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
import time
from datetime import datetime
from functools import lru_cache, wraps
from pathlib import Path

from flask import Flask, Response, current_app, g, has_app_context, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress
from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.http import dump_cookie, parse_cookie, parse_etags, unquote_etag

from .database import after_write
from .extensions import cache, db
from .i18n import language_cookie_settings
from .models import Event, EventTranslation, Question, utcnow

compress = Compress()

VERSION_KEY = "content-version"
BOUNDARY_KEY = "next-boundary:{version}"
# Rows whose change can show on a public page, the API or a feed. Registrations show there only
# through the event's seat counter (an UPDATE of the event row), so a check-in or an edited
# phone number leaves every cached page valid. An event's questions are in the API and its forms.
PUBLIC_MODELS = (Event, EventTranslation, Question)
_CHANGED = "public_content_changed"
# Kept by browsers and proxies, and stored by them for a year: the URL changes with the content.
IMMUTABLE = "public, max-age=31536000, immutable"
# Anyone may store a public page, but must ask again (a cheap 304) before each use: seat counts change.
REVALIDATE = "public, no-cache"
# Files the same for everyone (cover images included): never `Vary: Cookie`.
STATIC_ENDPOINTS = frozenset({"static", "static_versioned", "site.media_file"})


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
    app.wsgi_app = PageCacheFront(app, app.wsgi_app)  # type: ignore[method-assign]


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
        # After the writer gate is released: the next registration need not wait for a cache write.
        after_write(_bump_safely)


def _bump_safely() -> None:
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
            response = _conditional_response(*entry, vary() if vary else ())
            if response.status_code == 200 and request.method == "GET":
                # For PageCacheFront, which stores the final response (headers of every after_request included).
                timeout = current_app.config["CACHE_DEFAULT_TIMEOUT"]
                if boundary is not None:
                    timeout = max(1, min(timeout, int(boundary - now.timestamp())))
                response.headers[FRONT_MARKER] = (
                    f"{version} {boundary if boundary is not None else '-'} {timeout} {g.get('lang') or '-'}"
                )
            return response

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


# -- the front: cached pages answered before Flask runs ------------------------------------------

FRONT_MARKER = "X-Exchange-Page-Cache"  # set by cached_page, never sent: version, boundary, timeout, language
FRONT_KEY = "front:{version}:{path}?{query}|{varying}"
FRONT_VARY_KEY = "front-vary:{path}?{query}"


class PageCacheFront:
    """WSGI middleware that answers a request for a cached public page before Flask runs.

    A page served by `cached_page` is the same for every visitor without a session, so the
    final response (every after_request header included: security headers, compression,
    ETag) is kept under the content version, the path, the query and the values of the
    request headers it varies on (its `Vary`), like a shared HTTP cache. A later request for
    it is answered from the cache with three lookups and no database, no session, no
    template: the cost of a hello-world. The entry is dropped at its next time boundary, and
    a new content version (any committed change to public content) makes it unreachable.
    Only the language cookie is per visitor: it is set here, as `remember_lang` would.
    Anything else (a session cookie, a POST, a cache that does not answer) goes to Flask.
    """

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.language_cookie = app.config["LANGUAGE_COOKIE_NAME"]

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        cookies = parse_cookie(environ.get("HTTP_COOKIE"))
        if self.session_cookie in cookies:
            return self.wsgi_app(environ, start_response)
        try:
            entry = self._lookup(environ, cookies)
        except Exception:  # a cache that does not answer: Flask serves the page (and logs what fails)
            entry = None
        if entry is None:
            return self._fetch(environ, cookies, start_response)
        return self._serve(entry, environ, cookies, start_response)

    @property
    def _backend(self):
        return self.app.extensions["cache"][cache]

    def _key(self, version: str, environ, cookies, vary: tuple[str, ...]) -> str:
        # A page that varies on Cookie reads only the language cookie (a session goes to Flask).
        varying = "|".join(
            f"{name}={cookies.get(self.language_cookie, '') if name == 'cookie' else environ.get(_environ_key(name), '')}"
            for name in vary
        )
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        return FRONT_KEY.format(version=version, path=path, query=query, varying=varying)

    @staticmethod
    def _vary_key(environ) -> str:
        return FRONT_VARY_KEY.format(path=environ.get("PATH_INFO", ""), query=environ.get("QUERY_STRING", ""))

    def _lookup(self, environ, cookies):
        backend = self._backend
        version = backend.get(VERSION_KEY)
        vary = backend.get(self._vary_key(environ)) if version else None
        if vary is None:
            return None
        entry = backend.get(self._key(version, environ, cookies, vary))
        if entry is None or (entry["boundary"] is not None and time.time() >= entry["boundary"]):
            return None
        return entry

    def _serve(self, entry: dict, environ, cookies, start_response):
        headers = list(entry["headers"])
        lang = entry["lang"]
        if lang and cookies.get(self.language_cookie) != lang:
            headers = [(name, value) for name, value in headers if name != "Cache-Control"]
            headers += [
                ("Set-Cookie", dump_cookie(self.language_cookie, lang, **language_cookie_settings(self.app.config))),
                ("Cache-Control", "private, no-cache"),
            ]
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), entry["etag"]):
            kept = {"etag", "cache-control", "vary", "set-cookie"}
            start_response("304 NOT MODIFIED", [(name, value) for name, value in headers if name.lower() in kept])
            return [b""]
        start_response(entry["status"], headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else entry["body"]]

    def _fetch(self, environ, cookies, start_response):
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            marker = next((value for name, value in headers if name == FRONT_MARKER), None)
            headers = [(name, value) for name, value in headers if name != FRONT_MARKER]
            captured.update(status=status, headers=headers, marker=marker)
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        if captured.get("marker") is None or not captured["status"].startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        try:
            self._store(environ, cookies, captured["status"], captured["headers"], captured["marker"], body)
        except Exception:  # the visitor has the page; only the next one is slower
            pass
        return [body]

    def _store(self, environ, cookies, status: str, headers: list, marker: str, body: bytes) -> None:
        version, boundary, timeout, lang = marker.split(" ")
        own_cookie = f"{self.language_cookie}="
        if any(name == "Set-Cookie" and not value.startswith(own_cookie) for name, value in headers):
            return  # a cookie of this visitor's own: not for anyone else
        kept = [(name, value) for name, value in headers if name not in ("Set-Cookie", "Cache-Control")]
        vary = tuple(sorted({part.strip().lower() for name, value in kept if name == "Vary" for part in value.split(",")} - {""}))
        entry = {
            "status": status,
            "headers": [*kept, ("Cache-Control", REVALIDATE)],
            "body": body,
            "etag": next((value for name, value in kept if name == "ETag"), None),
            "boundary": None if boundary == "-" else float(boundary),
            "lang": None if lang == "-" else lang,
        }
        backend = self._backend
        backend.set(self._vary_key(environ), vary, timeout=int(timeout))
        backend.set(self._key(version, environ, cookies, vary), entry, timeout=int(timeout))


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def _matches(if_none_match: str | None, etag: str | None) -> bool:
    """Whether the client holds this response, in any encoding Flask-Compress gave it ("<tag>:gzip")."""
    if not if_none_match or not etag:
        return False
    ours = unquote_etag(etag)[0].partition(":")[0]
    return any(tag.partition(":")[0] == ours for tag in parse_etags(if_none_match).as_set())


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
