"""Cần Thơ Cultural Exchange: events, registrations and attendee lists."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask
from sqlalchemy import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from . import logs
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .http import ExchangeRequest, IdConverter, refuse_control_characters_in_path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory; `test_config` replaces instance/config.py and the environment."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), instance_relative_config=True)
    app.request_class = ExchangeRequest
    app.url_map.converters["int"] = IdConverter
    app.config.from_object("exchange.config")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("EXCHANGE")
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'exchange.sqlite3'}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path) / "secret_key")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    app.jinja_env.add_extension("jinja2.ext.do")
    app.json.ensure_ascii = False  # Vietnamese, Korean, Lao... stay readable in JSON
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)

    app.logger.setLevel(app.config["LOG_LEVEL"])
    logs.install()
    _init_extensions(app)
    _register_blueprints(app)

    from . import cli, errors_pages, security
    from .manage import permissions

    app.before_request(refuse_control_characters_in_path)
    errors_pages.register(app)
    permissions.register(app)
    security.register(app)
    cli.register(app)
    return app


def _engine_options(config) -> dict:
    """SQLAlchemy engine options: configured ones, bound parameters kept out of errors and logs, the pool size."""
    # With hide_parameters, a failed statement's message (and so a traceback in the log)
    # shows the SQL without the names and emails bound to it.
    # pool_pre_ping: a connection the database dropped (a restart, an outage) is replaced before
    # use instead of failing the next request that draws it from the pool.
    # A SQLite file has no connection to lose, so no ping.
    options = {"hide_parameters": True, **config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", config["DATABASE_POOL_SIZE"])
    return options


def _init_extensions(app: Flask) -> None:
    from . import caching
    from .auth import sessions
    from .database import configure_engine
    from .form_errors import invalid_fields
    from .i18n import register_template_helpers, select_locale
    from .services import mailer
    from .services.images import image_sources, megabytes

    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    mailer.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    register_template_helpers(app)
    app.jinja_env.globals["invalid_fields"] = invalid_fields
    app.jinja_env.globals["event_image"] = image_sources
    app.jinja_env.filters["megabytes"] = megabytes
    caching.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from .api.views import bp as api_bp
    from .auth.views import bp as auth_bp
    from .feeds.views import bp as feeds_bp
    from .manage import invitations as _invitation_views  # noqa: F401  (its views join the manage blueprint)
    from .manage import questions as _question_views  # noqa: F401  (its views join the manage blueprint)
    from .manage.admin import bp as admin_bp
    from .manage.views import bp as manage_bp
    from .public.views import bp as public_bp
    from .registrant.delegate_views import bp as delegate_bp
    from .registrant.views import bp as registrant_bp
    from .site.views import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(registrant_bp)
    app.register_blueprint(delegate_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(admin_bp)
    csrf.exempt(api_bp)


def _instance_secret_key(path: Path) -> str:
    """Read the installation's secret key, creating it once.

    The key is written to a private temporary file and hard-linked into place,
    which fails if another worker got there first: every worker ends up
    reading the same complete key.
    """
    if not path.exists():
        fd, draft_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
        draft = Path(draft_name)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
