"""Default configuration.

Layers, later ones win: these defaults, then ``instance/config.py``, then
environment variables ``EXCHANGE_<KEY>`` (Flask's ``from_prefixed_env``, so
values are parsed as JSON where they can be: ``EXCHANGE_MAIL_PORT=2525``).
Tests pass ``test_config`` instead of the last two layers.
"""

# Signs sessions and CSRF tokens. No default on purpose: when unset, a random
# key is generated into instance/secret_key on first start.
SECRET_KEY = None

# Database URL. None means SQLite at instance/exchange.sqlite3.
# Production: "postgresql+psycopg://user:password@host/dbname".
SQLALCHEMY_DATABASE_URI = None

# Seconds an SQLite connection waits for the write lock before failing.
SQLITE_BUSY_TIMEOUT = 30

# Absolute URL the site is reached at, used for links that leave a request
# (emails, calendar files). None means "derive from the request" in development.
BASE_URL = None

# The locale used when nothing else decides (first path segment, cookie,
# Accept-Language). Must be one of exchange.i18n.LOCALES.
BABEL_DEFAULT_LOCALE = "vi"

# Time zone for events that do not name their own.
DEFAULT_EVENT_TIMEZONE = "Asia/Ho_Chi_Minh"

# Events per page in the public catalog.
EVENTS_PER_PAGE = 24

# Mail server. None means: write each outgoing email as an .eml file under
# instance/mail/ instead of sending it.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "Cần Thơ Cultural Exchange <no-reply@localhost>"

# Flask-Limiter: storage for counters ("memory://" for one process,
# "redis://127.0.0.1:6379/0" when several workers or machines share limits).
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_ENABLED = True
RATELIMIT_HEADERS_ENABLED = True

# CSRF tokens stay valid for the browser session rather than one hour, so a
# slow registrant on a phone does not lose the form they filled in.
WTF_CSRF_TIME_LIMIT = None

# Cookies: the language cookie and the organizer session.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Set to True when the site is served over HTTPS (it should be in production).
SESSION_COOKIE_SECURE = False
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
