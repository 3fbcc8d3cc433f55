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

# Connections each process keeps open to PostgreSQL (SQLAlchemy's pool_size; up to 10
# more are opened under load). Keep it at least gunicorn's threads per worker:
# gunicorn.conf.py sets EXCHANGE_DATABASE_POOL_SIZE to its thread count.
DATABASE_POOL_SIZE = 5

# The app's log level (INFO shows, among others, where each .eml file was written).
LOG_LEVEL = "INFO"

# Seconds an SQLite connection waits for the write lock before failing.
SQLITE_BUSY_TIMEOUT = 30

# Absolute URL the site is reached at. Every link that leaves the site
# (emails, calendar files, QR codes) is built on it, never on the request's
# Host header, which a client can forge. Set it in production.
BASE_URL = "http://127.0.0.1:5000"

# The locale used when nothing else decides (first path segment, cookie,
# Accept-Language). Must be one of exchange.i18n.LOCALES.
BABEL_DEFAULT_LOCALE = "vi"

# Time zone for events that do not name their own.
DEFAULT_EVENT_TIMEZONE = "Asia/Ho_Chi_Minh"

# Events per page in the public catalog.
EVENTS_PER_PAGE = 24

# Where XLSX exports are built in the background (each deleted when downloaded or after an
# hour). None means instance/exports/. Every worker must see the same directory.
EXPORTS_DIR = None

# Mail server. None means: write each outgoing email as an .eml file under
# instance/mail/ instead of sending it.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "Cần Thơ Cultural Exchange <no-reply@localhost>"
# Emails come from MAIL_DEFAULT_SENDER's address under a name in the recipient's language: the
# site's name as translated ("Giao lưu văn hóa Cần Thơ", "껀터 문화 교류" …), or per language here,
# e.g. {"vi": "Sở Ngoại vụ Cần Thơ", "en": "Cần Thơ Department of Foreign Affairs"}.
MAIL_SENDER_NAMES = None
# Reply-To of emails whose event names no contact email (and of emails to staff), e.g.
# "Ban tổ chức <events@example.org>". None: such emails carry no Reply-To. An event's contact
# email (set in the event editor) is always the Reply-To of that event's emails.
MAIL_REPLY_TO = None

# Flask-Caching: where public pages, the API and the feeds are kept (exchange/caching.py).
# "FileSystemCache" (under CACHE_DIR, default instance/cache) is shared by the workers of one
# machine, so a registration in one worker is seen by all; "SimpleCache" is one process's
# memory (tests). Production with several machines: CACHE_TYPE = "RedisCache" and
# CACHE_REDIS_URL = "redis://127.0.0.1:6379/1". Entries never outlive the next registration
# window boundary nor a change to an event or a registration.
CACHE_TYPE = "FileSystemCache"
CACHE_DIR = None
# Seconds a page stays cached when nothing changes meanwhile.
CACHE_DEFAULT_TIMEOUT = 3600
# Pages kept at most (older ones are dropped); FileSystemCache and SimpleCache only.
CACHE_THRESHOLD = 2000
# Prefix of every cache key; None means one derived from the database URL, so installations
# sharing a cache directory or Redis database never see each other's pages.
CACHE_KEY_PREFIX = None

# Flask-Compress: responses compressed (zstd, brotli, gzip) when the client accepts it.
COMPRESS_MIMETYPES = ["text/html", "text/css", "text/calendar", "application/json", "image/svg+xml", "text/javascript"]

# Flask-Limiter: storage for counters ("memory://" for one process,
# "redis://127.0.0.1:6379/0" when several workers or machines share limits).
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_ENABLED = True
RATELIMIT_HEADERS_ENABLED = True

# Largest request body accepted (bytes); the biggest delegation form is far smaller. The event
# editor alone accepts IMAGE_MAX_BYTES more, for its cover image (exchange/http.py).
MAX_CONTENT_LENGTH = 1024 * 1024

# Cover images of events (exchange/services/images.py). Where their re-encoded files are kept:
# None means instance/media/. Every worker must see the same directory; back it up with the database.
MEDIA_DIR = None
# Largest image file an organizer may upload (bytes). A bigger one gets a message by the field,
# one past the request limit (this plus MAX_CONTENT_LENGTH) a "too large" page.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Most pixels (width × height) an uploaded image may declare; checked before it is decoded, so a
# small file that would unpack to gigabytes (a decompression bomb) is refused. 40 Mpx fits phone photos.
IMAGE_MAX_PIXELS = 40_000_000
# Files people attach as answers to an event's questions (a student card, a passport page), kept
# apart from everything served: None means instance/answer-files/. Shared by every worker; back it
# up with the database. ANSWER_FILE_MAX_BYTES is the largest file one answer may be.
ANSWER_FILES_DIR = None
ANSWER_FILE_MAX_BYTES = 4 * 1024 * 1024
# Fields one multipart form may have (Werkzeug refuses more with 413). Browsers send the delegation
# form as multipart: 500 delegates with their own questions take far more than Flask's 1,000.
MAX_FORM_PARTS = 25_000
# All the files one registration form may carry (a delegation's passport pages), over MAX_CONTENT_LENGTH.
ANSWER_UPLOADS_MAX_BYTES = 16 * 1024 * 1024
# Widths (px) each image is saved at, as WebP and as JPEG; never wider than the original.
IMAGE_WIDTHS = [480, 960, 1600]

# CSRF tokens stay valid for the browser session rather than one hour, so a
# slow registrant on a phone does not lose the form they filled in.
WTF_CSRF_TIME_LIMIT = None

# Cookies: the language cookie and the organizer session.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Set to True when the site is served over HTTPS (it should be in production).
SESSION_COOKIE_SECURE = False
# Strict-Transport-Security max-age in seconds, sent on every response when BASE_URL starts
# with https:// (browsers then refuse plain HTTP for the site that long); 0 never sends it.
# No includeSubDomains: other services of the city's domain may still be served over HTTP.
HSTS_MAX_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

# Seats are taken with one atomic conditional UPDATE; every state change locks
# the row it decides on (FOR UPDATE) in a transaction that SQLite begins
# IMMEDIATE. False switches all of that off (read, decide, write in deferred
# transactions), only so the concurrency tests can show that this overbooks,
# doubles or fails (their negative controls). Never turn it off anywhere else.
LOCKING = True

# Flask-Limiter limits on registration POSTs, per client address.
REGISTRATION_RATE_LIMIT = "10 per minute;60 per hour"
# Invitation pages (/<lang>/i/<code>) per client: enough for an invitee, too few to guess codes.
INVITATION_RATE_LIMIT = "30 per minute;200 per hour"

# Number of proxies in front of the app that set X-Forwarded-For (0: none).
# Rate limits count per client address, so set it behind a reverse proxy.
PROXY_FIX_X_FOR = 0

# Outgoing mail. Seconds an SMTP connection may wait for the server before
# giving up (Flask-Mail sets no timeout: a silent server would hang the sender).
MAIL_TIMEOUT = 20
# Flask-Mail would suppress sending whenever TESTING is on; the tests use a real SMTP server.
MAIL_SUPPRESS_SEND = False
# Where emails are written as .eml files while MAIL_SERVER is None (None: instance/mail).
MAIL_FILE_DIR = None
# Deliveries that fail temporarily (4xx, no connection) are retried this many
# times in all, waiting OUTBOX_RETRY_BASE_SECONDS, then twice as long each time.
OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_RETRY_BASE_SECONDS = 60
# How long a sender owns a claimed message before another may take it over.
OUTBOX_LEASE_SECONDS = 300
# Pause between two looks at the outbox in `flask outbox send --loop`.
OUTBOX_POLL_SECONDS = 3

# Sign-in attempts allowed per client address, right or wrong (Flask-Limiter syntax).
LOGIN_RATE_LIMIT_PER_ADDRESS = "20 per minute;100 per hour"

# A pending delegation holds its seats this many hours while its contact
# confirms the address from the emailed link; unconfirmed, it lapses
# (`flask expire-pending`, from cron) and its seats go to the waiting list.
DELEGATION_CONFIRM_HOURS = 48
# An invitation with unused seats is reminded this many hours before its deadline (`flask expire-invitations`).
INVITATION_REMINDER_HOURS = 72

# Most seats of one event held (confirmed or pending) by one email address,
# and by one client address (kept only as a keyed hash). Never below the
# event's largest delegation, so one delegation always fits. SEATS_PER_CLIENT_LIMIT = 0
# turns the per-client cap off (a benchmark whose every request comes from 127.0.0.1).
SEATS_PER_ADDRESS_LIMIT = 40
SEATS_PER_CLIENT_LIMIT = 100

# An organizer's "resend" emails a registrant at most once in this many seconds,
# so two clicks (or two organizers) at once send one email.
RESEND_INTERVAL_SECONDS = 60
# How many tickets one delegate's own address may be sent in 24 hours (a contact changing it again and again).
DELEGATE_EMAILS_PER_DAY = 5

# Flask-Limiter limit on the POSTs of a registrant's manage pages (save,
# cancel, confirm), per client address, shared by all of them.
MANAGE_RATE_LIMIT = "20 per minute;200 per hour"

# Manage links (the secret link in every email) stop working this many days
# after their event ends; opening one later shows a page saying so.
MANAGE_LINK_DAYS_AFTER_EVENT = 60
# Each email carries a fresh manage link; only the newest this many of a
# registration keep working, so old messages in mailboxes and backups open nothing.
MANAGE_LINKS_KEPT = 3

# The version of the privacy notice (/<lang>/privacy) registrants agree to; stored with
# each registration's consent and shown in their data download. Change it with the notice.
PRIVACY_NOTICE_VERSION = "2026-12"
# `flask purge-personal-data --retention` anonymises registrations of events that ended
# more than this many days ago (run it daily from cron).
RETENTION_DAYS = 180
# ... and, before anything else, deletes the answers to sensitive questions (a passport number)
# of events that ended more than this many days ago.
SENSITIVE_ANSWERS_KEPT_DAYS = 30

# Wrong passwords or second-factor codes allowed per account (exchange/auth/throttle.py):
# browsers where the account never signed in share the first budget; each browser where it
# did has its own (a signed cookie), so an attacker cannot lock the owner out. Once the window
# passes, the right password works again; attempts refused meanwhile are not counted.
LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
LOGIN_FAILURES_PER_DEVICE = "10 per 15 minutes"

# A back-office session ends after this many minutes without a request.
BACK_OFFICE_IDLE_MINUTES = 30

# Administrators must set up two-factor sign-in (TOTP) before using the back office;
# for other roles it is optional. False makes it optional for administrators too.
TWO_FACTOR_REQUIRED_FOR_ADMINS = True
