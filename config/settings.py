"""Sijil's settings, read from the environment (django-environ).

Unset, everything falls back to the embedded default that anyone can try: a
SQLite file and tasks run in-process. `PRODUCTION=1` turns on the checks that
refuse to start with an unsafe configuration; see `docs/operations.md`.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# The key local development (DEBUG on, as the demo runs) falls back to; refused whenever DEBUG is off.
DEV_SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

PRODUCTION = env.bool("PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


def _secret_key_problem() -> str | None:
    """What is wrong with SECRET_KEY for anything but local development, or None."""
    if SECRET_KEY == DEV_SECRET_KEY or not env.str("SECRET_KEY", default=""):
        return "SECRET_KEY is missing or is the development default; set a long random value"
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        return "SECRET_KEY is too short or too simple; use at least 50 random characters"
    return None


def _refuse_unsafe_production_settings() -> None:
    """Fail fast, naming the setting, rather than run a register of atrocities insecurely."""
    problems = [problem for problem in [_secret_key_problem()] if problem]
    if DEBUG:
        problems.append("DEBUG is on; set DEBUG=0")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty; list the host names Sijil is served on")
    if not env.str("CACHE_URL", default="").startswith(("redis://", "rediss://")):
        problems.append("CACHE_URL is not a Redis URL; every process must count API requests in one shared cache")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")


if PRODUCTION:
    _refuse_unsafe_production_settings()
elif not DEBUG and _secret_key_problem():
    # Whatever PRODUCTION says: only local development (DEBUG on, as the demo runs) may use the public key.
    raise ImproperlyConfigured(
        f"Refusing to start with DEBUG off: {_secret_key_problem()} (or DEBUG=1 for local development only)."
    )

INSTALLED_APPS = [
    # Before the admin: its templates add the situation room to the admin's header and index.
    "incidents.situation",
    "config.apps.SijilAdminConfig",  # django.contrib.admin with the 2FA site (reports/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "config.apps.SijilTOTPConfig",  # django_otp.plugins.otp_totp, with a name a reviewer reads
    "reports",
    "reports.imports",
    "reports.alerts",
    "incidents",
    "incidents.webhooks",
    "demo",  # the local demo's seed_demo command (demo/); it refuses to run in production
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reports.web.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "reports.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "reports.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The cache holds the API's request counts (throttling): Redis in production, e.g. redis://redis:6379/1,
# so that every process and machine counts together; the embedded default is per process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# The embedded default is a SQLite file; production and the test suite use PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Times are stored in UTC and shown in the user's zone; the default is the coast's.
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Damascus")
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Unambiguous dates in both languages ("8 March 2025", "8 مارس 2025", "2025-03-08 14:00"): config/formats/.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES: dict[str, dict[str, Any]] = {
    # Uploaded files are never served straight from disk: views check who may see them.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------
# HTTPS_ONLY is on whenever DEBUG is off; turn it off only for a plain-HTTP
# deployment on loopback, such as a test stack.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
# Behind a TLS-terminating proxy, trust its header (only if the proxy sets it).
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# Failed sign-ins (django-axes, docs/monitors.md): counted per username *and* address together, so an
# attacker guessing a monitor's password from elsewhere cannot lock the monitor out of their own phone;
# the lock lifts by itself after the cool-off, and a success resets the count.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind a proxy (BEHIND_PROXY), the client's address is the one the proxy appended, not the proxy's
# own and not what the client wrote: see reports.web.client_address.
AXES_CLIENT_IP_CALLABLE = "reports.web.client_address.client_address"

# Content security policy for the pages: nothing from outside the site, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Celery ---------------------------------------------------------------------
# Without a broker the tasks run in-process, synchronously (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env.int("CELERY_BROKER_CONNECTION_TIMEOUT", default=4)
# An unacknowledged message (its worker died) goes back to the queue after this long;
# the sweeper usually gets there first. Longer than the time limit and the longest retry backoff.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SEND_SENT_EVENT = False

# The pipeline (incidents/services, docs/pipeline.md). A report still pending, or
# claimed by a worker that went quiet, this long is sent again by the sweeper.
SIJIL_PROCESSING_STALE_SECONDS = env.int("SIJIL_PROCESSING_STALE_SECONDS", default=300)
# After this many attempts a report is marked failed, with the error, for a person to look at.
SIJIL_PROCESSING_MAX_ATTEMPTS = env.int("SIJIL_PROCESSING_MAX_ATTEMPTS", default=5)
# How many reports a worker claims and places together (one transaction, all or nothing per report).
SIJIL_PROCESSING_BATCH_SIZE = env.int("SIJIL_PROCESSING_BATCH_SIZE", default=50)
SIJIL_SWEEP_EVERY_SECONDS = env.float("SIJIL_SWEEP_EVERY_SECONDS", default=60.0)
SIJIL_OUTAGE_ROLLUP_EVERY_SECONDS = env.float("SIJIL_OUTAGE_ROLLUP_EVERY_SECONDS", default=3600.0)
# The matcher learns its weights from the register (incidents/services/learning.py): how often, and from how many
# of the most recent reports.
SIJIL_MATCHER_TRAIN_EVERY_SECONDS = env.int("SIJIL_MATCHER_TRAIN_EVERY_SECONDS", default=24 * 3600)
SIJIL_MATCHER_TRAIN_REPORTS = env.int("SIJIL_MATCHER_TRAIN_REPORTS", default=20_000)
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-unprocessed-reports": {
        "task": "incidents.tasks.sweep_reports",
        "schedule": SIJIL_SWEEP_EVERY_SECONDS,
        # A sweep that could not run in time is useless later: the next one does its work.
        "options": {"expires": SIJIL_SWEEP_EVERY_SECONDS},
    },
    "train-matcher": {
        "task": "incidents.tasks.train_matcher",
        "schedule": SIJIL_MATCHER_TRAIN_EVERY_SECONDS,
        "options": {"expires": SIJIL_MATCHER_TRAIN_EVERY_SECONDS},
    },
    "roll-up-outages": {
        "task": "incidents.tasks.rollup_outages",
        "schedule": SIJIL_OUTAGE_ROLLUP_EVERY_SECONDS,
        "options": {"expires": SIJIL_OUTAGE_ROLLUP_EVERY_SECONDS},
    },
}

# --- Bulk imports (reports/imports/, docs/imports.md) -------------------------------
SIJIL_IMPORT_MAX_BYTES = env.int("SIJIL_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
SIJIL_IMPORT_MAX_ROWS = env.int("SIJIL_IMPORT_MAX_ROWS", default=200_000)
# A worker imports for this long, then sends the job on (a task stays far below the time limit).
SIJIL_IMPORT_SLICE_SECONDS = env.float("SIJIL_IMPORT_SLICE_SECONDS", default=60.0)
# A job no worker has touched for this long is sent again by the sweeper.
SIJIL_IMPORT_STALE_SECONDS = env.int("SIJIL_IMPORT_STALE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["sweep-imports"] = {
    "task": "reports.imports.tasks.sweep_imports",
    "schedule": SIJIL_SWEEP_EVERY_SECONDS,
    "options": {"expires": SIJIL_SWEEP_EVERY_SECONDS},
}

# --- Alerts to reviewers (reports/alerts/, docs/alerts.md) -------------------------------
SIJIL_SITE_URL = env.str("SIJIL_SITE_URL", default="http://127.0.0.1:8000")  # links in e-mails
SIJIL_ALERT_DIGEST_AFTER_MINUTES = env.int("SIJIL_ALERT_DIGEST_AFTER_MINUTES", default=60)
SIJIL_ALERT_DIGEST_EVERY_MINUTES = env.int("SIJIL_ALERT_DIGEST_EVERY_MINUTES", default=60)
# Beyond this many alert e-mails an hour, a reviewer's further alerts are in the admin only (a bulk import).
SIJIL_ALERT_EMAILS_PER_HOUR = env.int("SIJIL_ALERT_EMAILS_PER_HOUR", default=30)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sijil@localhost")
# Alert checks left in the wake-up's set by a worker killed mid-drain (config/wakeups.py) are done within this.
CELERY_BEAT_SCHEDULE["check-waiting-alerts"] = {
    "task": "reports.alerts.tasks.alert_waiting",
    "schedule": SIJIL_SWEEP_EVERY_SECONDS,
    "options": {"expires": SIJIL_SWEEP_EVERY_SECONDS},
}
CELERY_BEAT_SCHEDULE["digest-waiting-reports"] = {
    "task": "reports.alerts.tasks.digest_waiting_reports",
    "schedule": SIJIL_ALERT_DIGEST_EVERY_MINUTES * 60.0,
}

# --- Webhooks to partners (incidents/webhooks/, docs/webhooks.md) ----------------------
# Allows http:// to a loopback receiver (tests, the demo); refused in production.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)
if WEBHOOKS_ALLOW_LOOPBACK and PRODUCTION:
    raise ImproperlyConfigured("WEBHOOKS_ALLOW_LOOPBACK is for tests and the demo; turn it off in production.")
SIJIL_WEBHOOK_RETRY_BASE_SECONDS = env.float("SIJIL_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
SIJIL_WEBHOOK_DISPATCH_EVERY_SECONDS = env.float("SIJIL_WEBHOOK_DISPATCH_EVERY_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["dispatch-webhooks"] = {
    "task": "incidents.webhooks.tasks.dispatch_webhooks",
    "schedule": SIJIL_WEBHOOK_DISPATCH_EVERY_SECONDS,
    "options": {"expires": SIJIL_WEBHOOK_DISPATCH_EVERY_SECONDS},
}

# --- Logging: never a source's or a monitor's identity, never a report body ------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Pillow's debug output prints EXIF values (a photo's GPS position, its owner's name): never below INFO.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "PIL": {"level": "INFO"},
        # Tasks run in-process (no broker: the demo): a line per task says nothing; failures still show.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}

# --- Sijil ----------------------------------------------------------------------
SIJIL_DEMO = env.bool("SIJIL_DEMO", default=False)

# --- Review (reports/review.py, docs/review.md) ------------------------------------
# How long a reviewer's hold on a report they took lasts before another may take it.
SIJIL_REVIEW_LOCK_MINUTES = env.int("SIJIL_REVIEW_LOCK_MINUTES", default=30)

# --- Partner API v1 (incidents/api/, docs/api.md) --------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "incidents.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["incidents.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "incidents.api.errors.api_exception_handler",
    "NON_FIELD_ERRORS_KEY": "detail",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sijil partner API",
    "DESCRIPTION": "Verified, redacted incidents and daily aggregates of the Sijil register, and report "
    "submission. Version 1 changes only by adding. Errors: "
    '`{"errors": {"<field or parameter>": ["<reason>"]}}`. See docs/api.md.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "incidents.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TimePrecisionEnum": "reports.choices.TimePrecision",
        "GeoPrecisionEnum": "reports.choices.GeoPrecision",
        "ReportStatusEnum": "reports.choices.ReportStatus",
        "IncidentStatusEnum": "incidents.models.IncidentStatus",
    },
}
# Requests per key (or signed-in user, or address) and period, per scope: reads, and writes (submissions,
# reviews, uploads, merges); empty: no throttling. Counted in the default cache: shared (CACHE_URL, Redis)
# as soon as more than one process serves the API, which production requires.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="300/min")
API_THROTTLE_WRITE_RATE = env.str("API_THROTTLE_WRITE_RATE", default="60/min")
# A report is at most ~100 KB of JSON; anything much bigger is refused with a 413 before parsing.
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=1024 * 1024)

# --- Review admin (reports/admin_site.py, docs/review.md) -------------------------
# The history is a record: nobody reverts a report or an incident from its history page.
SIMPLE_HISTORY_REVERT_DISABLED = True
# The change reason is a text column: a reviewer's whole note is kept ("merged <id> into <id>: " alone is 87).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Admin two-factor authentication (reports/admin_site.py) ---------------------------
# A one-time code (TOTP) is required for every admin account; off only for the local demo.
SIJIL_ADMIN_2FA = env.bool("SIJIL_ADMIN_2FA", default=True)
if not SIJIL_ADMIN_2FA and not SIJIL_DEMO:
    raise ImproperlyConfigured(
        "SIJIL_ADMIN_2FA=0 is allowed only for the local demo (SIJIL_DEMO=1): "
        "every admin account needs a one-time code."
    )
OTP_TOTP_ISSUER = "Sijil"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
