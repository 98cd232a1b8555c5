"""Settings, read from the environment (see .env.example).

With no variables set this is a development setup: DEBUG on, an embedded PostgreSQL
with its data in ./var/postgres (mentorship/devdb.py), and an embedded filesystem
broker so Celery worker and beat run without Redis.
Production sets DJANGO_DEBUG=false, a real DJANGO_SECRET_KEY, DATABASE_URL and
CELERY_BROKER_URL; `manage.py check --deploy --fail-level WARNING` then passes.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
_DEV_SECRET = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105 - DEBUG only
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Failed sign-ins are counted in the database and locked out (see AXES_* below).
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    # History by Postgres triggers (audit/): django-pgtrigger installs them, django-pghistory
    # writes one event row per insert, update or delete of a tracked model, with its context.
    "pgtrigger",
    "pghistory",
    # Ours, in dependency order: each app imports only the ones above it.
    "profiles",
    "privacy",
    "notifications",
    "audit",
    "matches",
    "meetings",
    "escalations",
    "support",
    "community",
    # The project package last: health and the beat heartbeat (mentorship.models).
    "mentorship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise: static files keep their long cache; pages for a signed-in person are no-store.
    "mentorship.security.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Times in the reader's own zone, named (issue 19).
    "profiles.timezones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside MessageMiddleware: says "saved, notifications delayed" when the broker is down.
    "notifications.outage.BrokerOutageNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mentorship.security.MFARequiredMiddleware",
    # Every change made while serving a request is recorded with the signed-in person's id and
    # the URL (pghistory's context; audit/ reads it back as "who did this").
    "audit.middleware.HistoryMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorship.context_processors.program",
                "notifications.context_processors.notifications",
                "mentorship.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
# PostgreSQL only. DATABASE_URL names a server (`make run`/`make test` set it through
# mentorship/devdb.py); unset, the embedded PostgreSQL under ./var is started and used.
if not env.str("DATABASE_URL", default=""):
    from mentorship import devdb

    os.environ["DATABASE_URL"] = devdb.database_url()
DATABASES = {"default": env.db("DATABASE_URL")}
# A unix-socket URL (postgres://user@/name?host=/socket/dir) names its folder as the HOST.
if DATABASES["default"].get("OPTIONS", {}).get("host"):
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
# Every request is one transaction: a view that fails half-way changes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections: web processes AND Celery workers (mentorship/celery.py
# closes a connection around a task only when it is older than this or broken), so
# production (60 s) reuses one connection per worker process across tasks. Under
# DEBUG it is 0: every task and request opens its own; set DATABASE_CONN_MAX_AGE
# to measure a worker as in production.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# History (audit/, docs/AUDIT.md): each event is stamped with the moment of the change
# (Postgres' NOW() would give every change of one transaction the same time).
PGHISTORY_CREATED_AT_FUNCTION = "CLOCK_TIMESTAMP()"
# The requests whose changes are recorded with the signed-in person (audit.middleware): a GET
# changes nothing, and the emergency page must not read the session or the user.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- People and sign-in ---------------------------------------------------
AUTH_USER_MODEL = "profiles.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt while the account+address or the address is locked out.
    "mentorship.security.AxesBackend",
    # Django's (the test client and the shell) and allauth's (the sign-in form), each loading the
    # signed-in person with their roles and authenticator in one query.
    "mentorship.security.ModelBackend",
    "mentorship.security.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "notifications.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "profiles.forms.SignupTimeZoneForm"  # the browser's time zone, for the new profile
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("PROGRAM_NAME", default="Peer Mentorship Program")
# People who can read others' disclosures must use a second factor before any
# page (mentorship.security.MFARequiredMiddleware). Off under DEBUG so the demo
# logins of `make run` work; on in production unless MFA_ENFORCE=false.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=["staff", "coordinator", "mea"])
MFA_ENFORCE = env.bool("MFA_ENFORCE", default=not DEBUG)

# Failed sign-ins (django-axes, stored in the database so every gunicorn worker
# sees the same count): locked out per account+address and per address.
# allauth's own ACCOUNT_RATE_LIMITS (default on, per address and per account
# key) add a cache-based throttle on top.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "mentorship.security.axes_username"
AXES_CLIENT_IP_CALLABLE = "mentorship.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
# How many reverse proxies append to X-Forwarded-For in front of the app
# (0: none, the header is ignored; 1: one load balancer; ...).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Cache and sessions ------------------------------------------------------
# CACHE_URL: a cache every web process shares, e.g. redis://127.0.0.1:6379/1
# (production). With it, allauth's sign-in rate limits count across processes
# and each signed-in request reads its session from the cache instead of the
# database (Django's cached_db engine: the database stays the record; with Redis down
# the cache misses instead of failing, mentorship/cache.py). Without it
# (development, tests), a per-process memory cache and database sessions.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, with Redis down a miss instead of an error (mentorship/cache.py).
            "BACKEND": "mentorship.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "mentorship",
            # An unreachable cache must fail fast, not hang the request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions end SESSION_COOKIE_AGE after sign-in (not sliding: saving the
# session on every request would make the emergency page touch the database).

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Internationalisation -------------------------------------------------
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# One date and time style everywhere: mentorship/formats/en/formats.py.
FORMAT_MODULE_PATH = ["mentorship.formats"]

# --- Static files (whitenoise serves them; nothing from a CDN) -------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------
# EMAIL_URL e.g. smtp+tls://user:pass@smtp.example.org:587. Unset: under DEBUG each
# email is written to var/mail/ as an .eml file (mentorship/mail.py), else printed.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    EMAIL_BACKEND = "mentorship.mail.EmlFolderBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- The program ----------------------------------------------------------
# Its name everywhere: page titles, the navigation, emails (allauth's "Hello from ..."),
# the authenticator app's entry, the staff console.
PROGRAM_NAME = env.str("PROGRAM_NAME", default="Peer Mentorship Program")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{PROGRAM_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
STAFF_EMAIL = env.str("STAFF_EMAIL", default="")
# A new member's time zone when their browser reports none at sign-up (staff may set another in the
# program settings). New York, as the emergency numbers' defaults are the United States'.
PROGRAM_TIME_ZONE = env.str("PROGRAM_TIME_ZONE", default="America/New_York")
# Emergency numbers are settings, not rows: the public guidance page must render
# with the database down. United States defaults; a group may override any of them
# (escalations.GroupEmergencyNumbers). Read them through escalations.guidance.emergency_numbers().
EMERGENCY_SERVICES = env.str("EMERGENCY_SERVICES", default="911")
CRISIS_LINE_NAME = env.str("CRISIS_LINE_NAME", default="988 Suicide & Crisis Lifeline")
CRISIS_TEXT = env.str("CRISIS_TEXT", default="988")
DV_HOTLINE_NAME = env.str("DV_HOTLINE_NAME", default="National Domestic Violence Hotline")
DV_HOTLINE = env.str("DV_HOTLINE", default="1-800-799-7233")
DV_TEXT = env.str("DV_TEXT", default="88788")
DV_TEXT_WORD = env.str("DV_TEXT_WORD", default="START")
CHILD_ABUSE_HOTLINE_NAME = env.str("CHILD_ABUSE_HOTLINE_NAME", default="Childhelp National Child Abuse Hotline")
CHILD_ABUSE_HOTLINE = env.str("CHILD_ABUSE_HOTLINE", default="1-800-422-4453")
# The same numbers as one list (label|number|call-or-text), the default of the program
# settings' "emergency numbers" (profiles.program); a program may replace the list there.
EMERGENCY_NUMBERS = [
    dict(zip(("label", "number", "kind"), item.split("|"), strict=False))
    for item in env.list("EMERGENCY_NUMBERS", default=[
        f"Emergency services|{EMERGENCY_SERVICES}|call",
        f"{CRISIS_LINE_NAME}|{env.str('CRISIS_LINE', default='988')}|call",
        f"{CRISIS_LINE_NAME}|{CRISIS_TEXT}|text",
        f"{DV_HOTLINE_NAME}|{DV_HOTLINE}|call",
        f"{CHILD_ABUSE_HOTLINE_NAME}|{CHILD_ABUSE_HOTLINE}|call",
    ])
]
# Matching: a mentee asks at most MAX_OPEN_ASKS mentors at once; an unanswered
# proposal gets a reminder after PROPOSAL_REMIND_AFTER hours and expires after
# PROPOSAL_EXPIRE_AFTER hours (accept/decline links in emails expire with it);
# a mentee waiting UNMATCHED_NUDGE_AFTER days is brought to the coordinator.
MAX_OPEN_ASKS = env.int("MAX_OPEN_ASKS", default=3)
# Program insights show a count between 1 and this (exclusive) as "fewer than N" (community/small_cells.py).
SMALL_CELL_THRESHOLD = env.int("SMALL_CELL_THRESHOLD", default=5)
PROPOSAL_REMIND_AFTER = env.float("PROPOSAL_REMIND_AFTER", default=72)
PROPOSAL_EXPIRE_AFTER = env.float("PROPOSAL_EXPIRE_AFTER", default=168)
# A mentor the mentee declined is not suggested to them again for this many days,
# and ranks last in the coordinator's suggestions for that mentee (issue 19).
DECLINED_MENTOR_COOLDOWN_DAYS = env.int("DECLINED_MENTOR_COOLDOWN_DAYS", default=90)
UNMATCHED_NUDGE_AFTER = env.int("UNMATCHED_NUDGE_AFTER", default=21)
# Whether a waiting mentee sees their own ranked mentor suggestions.
MATCH_SUGGESTIONS_FOR_MENTEES = env.bool("MATCH_SUGGESTIONS_FOR_MENTEES", default=True)
# Chat board: an offer or request to talk is listed this many days, then expires.
CHAT_POST_TTL_DAYS = env.int("CHAT_POST_TTL_DAYS", default=14)
# How many active matches one MEA supports at most (a per-MEA limit may lower it).
MEA_CASELOAD_LIMIT = env.int("MEA_CASELOAD_LIMIT", default=8)
CRISIS_LINE = env.str("CRISIS_LINE", default="988")  # the crisis line's number to call
CRISIS_CHAT_URL = env.str("CRISIS_CHAT_URL", default="https://988lifeline.org/chat/")
# Escalations: hours to acknowledge a report, by tier (1 MEA, 2 staff, 3 emergency).
# Each report keeps the deadlines in force when it was made. Format "1=72,2=24,3=1".
ESCALATION_ACK_DEADLINES = {
    int(k): float(v) for k, v in env.dict("ESCALATION_ACK_DEADLINES", default={"1": "72", "2": "24", "3": "1"}).items()
}
# A staff report nobody acknowledged is sent again this many times, then to every staff member.
ESCALATION_MAX_RESENDS = env.int("ESCALATION_MAX_RESENDS", default=2)
# Then every staff member is told, again after the staff deadline, doubling, at most this many hours apart,
# until someone acknowledges: the follow-up never stops on its own.
ESCALATION_REPEAT_MAX_HOURS = env.float("ESCALATION_REPEAT_MAX_HOURS", default=24)
# Staff chat incoming webhook (Discord or Slack format, detected from the URL); empty: off.
STAFF_WEBHOOK_URL = env.str("STAFF_WEBHOOK_URL", default="")

# --- Celery ---------------------------------------------------------------
# With CELERY_BROKER_URL unset, an embedded filesystem broker under ./var lets
# worker and beat run on one machine with nothing else installed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcasts (the worker's remote control); kombu's default is ./control in the project.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Fail fast when the broker is down: the request must not hang, the outbox
    # row is already saved and the beat drain delivers it later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged after it ran: a worker that dies mid-task leaves the
# message to be redelivered. Every task is therefore written to be safe twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Outgoing email has queues of its own, which every worker consumes in turn with the default one:
# "email" for what is queued one at a time (a report's notification) and "bulk" for reminder runs,
# so claims hold back no email and reminders no report (docs/OPERATIONS.md).
CELERY_TASK_QUEUES = [Queue("celery"), Queue("email"), Queue("bulk")]
CELERY_TASK_ROUTES = {"notifications.tasks.deliver_batch": {"queue": "email"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The schedule itself is static and lives in mentorship/celery.py.

# --- Logging: never report content; ids only -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes logs every successful sign-in at INFO; lockouts (WARNING) are what matter.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Security (production) ------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): no inline script anywhere; the only
# inline style allowed is the emergency page's, by hash (see mentorship/csp.py).
from csp.constants import NONE, SELF  # noqa: E402

from .csp import inline_style_hashes  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_style_hashes(BASE_DIR / "templates", "escalations/emergency.html")],
        # Bootstrap's CSS icons and the TOTP QR code are data: images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Health checks and in-cluster probes come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
