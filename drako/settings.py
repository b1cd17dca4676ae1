"""DRAKO's only settings module: every value comes from the environment (see .env.example)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's .env is read when present; real environments set variables directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (a long random string) "
            "or run with DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-not-for-production"

_LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
if not DEBUG and "ALLOWED_HOSTS" not in env:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, list the host names DRAKO answers to, "
        "comma-separated (e.g. ALLOWED_HOSTS=drako.example.com)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=_LOCAL_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=["http://localhost:8000", "http://127.0.0.1:8000"]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",  # clearsessions; accounts 0006 moved its sessions out
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drako",
    "accounts",
    "schedules",
    "personas",
    "conversations",
    "calendars",
    "django_tasks_db",
    "workers",
]

MIDDLEWARE = [
    "drako.metrics.RequestMetricsMiddleware",  # outermost: times the whole request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "drako.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.SessionUserMiddleware",  # Django's, the user read with the session
    "accounts.devices.KnownDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "drako.urls"
WSGI_APPLICATION = "drako.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, minus the health check of a connection the last request just proved, plus
    # server-prepared statements for the hottest queries (drako/db/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "drako.db.postgresql"
# false behind a pooler in transaction mode that cannot keep prepared statements (PgBouncer < 1.21)
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers take the lock at BEGIN, so a conflict check and its insert cannot interleave.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _shared_cache() -> dict:
    """CACHE_URL's cache (default: the database cache), which every worker shares."""
    cache = env.cache("CACHE_URL", default="dbcache://drako_cache")
    if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
        cache["BACKEND"] = "drako.cache.DatabaseCache"  # atomic counters (drako/cache.py)
    return cache


CACHES = {"default": _shared_cache()}

AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend behind the sign-in guard, taking a username or an email (accounts/guard.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.GuardedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours
LOGIN_REDIRECT_URL = "schedules:schedule"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
# The languages the assistant speaks (its `say`, through locale/'s catalogues); pages are English.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("it", "Italiano"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# --- Security: production defaults follow DEBUG; each can be overridden. ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "drako.views.csrf_failure_view"  # "this form has expired", in DRAKO's words
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with their user in one query compiled once
# (accounts/sessions.py, accounts.models.Session).
SESSION_ENGINE = "accounts.sessions"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The live conversation page loads daily-js (pinned) and frames Tavus's Daily rooms.
DAILY_JS_URL = "https://unpkg.com/@daily-co/daily-js@0.92.2/dist/daily.js"
# Subresource Integrity: the browser runs that file only if it is byte for byte the one published
# on npm as @daily-co/daily-js 0.92.2 (dist/daily.js), whatever the CDN serves.
DAILY_JS_INTEGRITY = "sha384-qkOcWks7O6ZM0W8bDQRvE2Zigs/pWm7ioqYeangGqWoaqMEFUNeAKYLp8J+qWiUS"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE, "https://unpkg.com/@daily-co/daily-js@0.92.2/"],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-src": ["https://*.daily.co"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- REST framework: authenticated by default, session (with CSRF) or token, JSON only. ---
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes unauthenticated calls 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drako.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DRAKO API",
    "DESCRIPTION": "Schedules, conversations and the Tavus tool-call and webhook endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, so the CSP can stay "self".
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "schedules.models.Event.Status",
        "ConversationStatusEnum": "conversations.models.Conversation.Status",
    },
    # Every operation documents the errors it can answer (401, 404, 400; see drako/api_errors.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drako.api_errors.add_error_responses",
    ],
}

# --- Email: password resets, address checks, unlock links ---
# Unset: with DEBUG on (`make run`) mails are printed to the terminal; otherwise none are sent.
_SMTP_OPTIONS = {  # django-environ's names for an smtp:// URL, and the SMTP backend's
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
}


def _mailers() -> dict:
    """Django's MAILERS from EMAIL_URL (`consolemail://`, `smtp+tls://user:pass@host:587`)."""
    config = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "dummymail://")
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {new: config[old] for old, new in _SMTP_OPTIONS.items() if config.get(old)}
        options["timeout"] = 10  # a slow mail server must not hold a request for long
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = _mailers()
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DRAKO <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Web Push (reminders and the morning summary in the browser); empty: push is unavailable ---
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="")
# Tests only: push endpoints on loopback (and over http) are accepted and reached.
PUSH_ALLOW_PRIVATE_HOSTS = env.bool("PUSH_ALLOW_PRIVATE_HOSTS", default=False)

# --- Tavus ---
TAVUS_API_KEY = env.str("TAVUS_API_KEY", default="")
TAVUS_API_URL = env.str("TAVUS_API_URL", default="https://tavusapi.com/v2")
TAVUS_DEFAULT_REPLICA_ID = env.str("TAVUS_DEFAULT_REPLICA_ID", default="re8e740a42")
TAVUS_TEST_MODE = env.bool("TAVUS_TEST_MODE", default=False)
TAVUS_TOOL_SECRET = env.str("TAVUS_TOOL_SECRET", default="")
TAVUS_CONNECT_TIMEOUT = env.float("TAVUS_CONNECT_TIMEOUT", default=3.05)
TAVUS_READ_TIMEOUT = env.float("TAVUS_READ_TIMEOUT", default=10.0)
# Requests to Tavus in flight at once per process; one more is refused at once with a 503, so a
# slow Tavus holds at most this many of gunicorn's threads (GUNICORN_THREADS, default 8).
TAVUS_MAX_IN_FLIGHT = env.int("TAVUS_MAX_IN_FLIGHT", default=3)
DRAKO_PUBLIC_URL = env.str("DRAKO_PUBLIC_URL", default="").rstrip("/")

# --- Other calendars (calendars app) ---
# Lets subscriptions and CalDAV reach loopback and private addresses: tests and home servers only.
CALENDAR_ALLOW_PRIVATE_HOSTS = env.bool("CALENDAR_ALLOW_PRIVATE_HOSTS", default=False)
# Encrypts stored CalDAV passwords; without it CalDAV is unavailable (subscriptions still work).
CALENDAR_SECRET_KEY = env.str("CALENDAR_SECRET_KEY", default="")

# --- Background tasks (django.tasks): the database queue, or RQ when TASKS_URL is Redis ---
TASKS_URL = env.str("TASKS_URL", default="")
if TASKS_URL:
    if not TASKS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "TASKS_URL must be a Redis URL (redis://host:6379/2), or empty for the database queue."
        )
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": TASKS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Finished task results older than this are deleted by a daily task (database queue only).
TASKS_RESULT_RETENTION_DAYS = env.int("TASKS_RESULT_RETENTION_DAYS", default=14)

# --- Rate limits (attempts per window, per client address and per account name) ---
LOGIN_RATE_LIMIT = env.int("LOGIN_RATE_LIMIT", default=10)
SIGNUP_RATE_LIMIT = env.int("SIGNUP_RATE_LIMIT", default=5)
RATE_LIMIT_WINDOW_SECONDS = 15 * 60
# Addresses of our own reverse proxies: only their X-Forwarded-For names the client. Empty:
# every client is its socket address (a client could otherwise pick its own address).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Per user per minute: conversation starts (each one is billed) and relayed tool calls.
CONVERSATION_START_RATE_LIMIT = env.int("CONVERSATION_START_RATE_LIMIT", default=6)
TOOL_CALL_RATE_LIMIT = env.int("TOOL_CALL_RATE_LIMIT", default=120)

# --- Running at scale: readiness, metrics, error reports (README "Running at scale") ---
# /readyz is 503 when no worker has enqueued a periodic task for this long; 0 leaves workers out.
READYZ_WORKER_MAX_AGE_SECONDS = env.int("READYZ_WORKER_MAX_AGE_SECONDS", default=300)
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; empty: /metrics is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Error reports to Sentry: off unless SENTRY_DSN is set (drako/sentry.py scrubs secrets).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        },
    },
    "filters": {"redact_secrets": {"()": "drako.log_redaction.RedactSecretsFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
