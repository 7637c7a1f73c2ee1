"""Amends settings: one module, every knob from the environment (docs/settings.md)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AMENDS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("AMENDS_DEBUG", False)
DEMO_SECRET_KEY = "amends-insecure-demo-key-change-me"
SECRET_KEY = os.environ.get("AMENDS_SECRET_KEY", DEMO_SECRET_KEY)
# Seals secrets kept in the database (IMAP passwords; amends.core.secrets). Old keys still open
# what they sealed: list them (comma-separated) while `manage.py mailbox_passwords_reseal` runs.
AMENDS_SECRETS_KEY = os.environ.get("AMENDS_SECRETS_KEY", SECRET_KEY)
AMENDS_SECRETS_OLD_KEYS = [k for k in os.environ.get("AMENDS_SECRETS_OLD_KEYS", "").split(",") if k]
ALLOWED_HOSTS = os.environ.get("AMENDS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
# The demo key is public: it is accepted only while the site answers on this machine alone.
if SECRET_KEY == DEMO_SECRET_KEY and set(ALLOWED_HOSTS) - {"localhost", "127.0.0.1", "[::1]", "testserver"}:
    raise ImproperlyConfigured("Set AMENDS_SECRET_KEY before serving Amends to other machines.")
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/operations.md).
if env_bool("AMENDS_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("AMENDS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("AMENDS_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Admin modules are imported by urls.py (autodiscover), not at start-up: mailgate runs as
    # a process per mail and the worker never serves the admin.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "django_htmx",
    "django_tasks_db",
    "amends.core",
    "amends.accounts",
    "amends.customers",
    "amends.cases",
    "amends.notify",
    "amends.sla",
    "amends.mail",
    "amends.insight",
    "amends.insight.similar",
    "amends.insight.suggest",
    "amends.insight.analysis",
    "amends.desk",
    "amends.portal",
    "amends.api",
    "amends.privacy",
    "amends.learning",
    "amends.reports",
    "amends.quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files get the policy too; see docs/decisions/0009.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so a file response is sandboxed before the CSP middleware sees it.
    "amends.core.middleware.DownloadSandboxMiddleware",
]

ROOT_URLCONF = "amends.urls"
WSGI_APPLICATION = "amends.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "amends" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL via DATABASE_URL for production and CI.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'amends.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("AMENDS_DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no var/ yet
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" when a read transaction upgrades to a write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"),
    }
    if env_bool("AMENDS_TESTING", False):
        # A file, not :memory:, so tests with threads (concurrent claims, the live server for
        # browser tests) use real separate connections, as in production.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:queue"
LOGOUT_REDIRECT_URL = "desk:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if env_bool("AMENDS_FAST_PASSWORD_HASHER", env_bool("AMENDS_TESTING", False)):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Languages --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("he", _("Hebrew")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "amends" / "locale"]
# Date formats Django lacks for a language (Arabic dates and times): amends/core/formats/.
FORMAT_MODULE_PATH = ["amends.core.formats"]
# Django's Hebrew and Arabic formats name a thousands separator but no grouping, so numbers
# formatted with grouping (money, counts) came out as "20160": group by three everywhere.
NUMBER_GROUPING = 3
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("AMENDS_TIME_ZONE", "Asia/Jerusalem")

# --- Static and uploads -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "amends" / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("AMENDS_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Attachments on the public form and the desk (R-IN-1); the API takes none yet.
AMENDS_ATTACHMENT_MAX_BYTES = env_int("AMENDS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
AMENDS_ATTACHMENT_MAX_COUNT = env_int("AMENDS_ATTACHMENT_MAX_COUNT", 5)
# Attachment files are deleted this many months after their case is closed (amends.privacy,
# a periodic job); empty: kept for ever.
_retention = os.environ.get("AMENDS_ATTACHMENT_RETENTION_MONTHS", "").strip()
AMENDS_ATTACHMENT_RETENTION_MONTHS = int(_retention) if _retention else None
if AMENDS_ATTACHMENT_RETENTION_MONTHS is not None and AMENDS_ATTACHMENT_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("AMENDS_ATTACHMENT_RETENTION_MONTHS must be 1 or more, or empty (off).")

# Customer value (amends.customers.value): the currency of margins and lifetime values, and the
# largest CSV of value figures a lead may upload.
AMENDS_CURRENCY = os.environ.get("AMENDS_CURRENCY", "ILS").upper()
AMENDS_VALUE_IMPORT_MAX_BYTES = env_int("AMENDS_VALUE_IMPORT_MAX_BYTES", 100 * 1024 * 1024)

# --- Tasks ------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if env_bool("AMENDS_TASKS_IMMEDIATE", env_bool("AMENDS_TESTING", False)):
    # Tests run tasks inline, as the worker would run them.
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# A task still "running" after this many seconds belongs to a dead worker and is run again.
AMENDS_TASK_LEASE_SECONDS = env_int("AMENDS_TASK_LEASE_SECONDS", 300)
# Jobs the worker runs at start and then every AMENDS_PERIODIC_SECONDS (run_worker).
AMENDS_PERIODIC_SECONDS = env_int("AMENDS_PERIODIC_SECONDS", 30)
AMENDS_PERIODIC_JOBS = [
    "amends.sla.sweeper.sla_sweep",
    "amends.mail.services.inbound_retry_stored",
    "amends.core.tasks_recovery.tasks_requeue_stale",
    "amends.notify.services.notifications_retry_stuck",
    "amends.core.maintenance.sqlite_analyze",
    "amends.insight.similar.services.fingerprints_retry_pending",
    "amends.insight.suggest.services.suggestions_retry_pending",
    "amends.insight.suggest.services.suggester_retrain_if_due",
    "amends.insight.analysis.services.analysis_retry_pending",
    "amends.privacy.services.retention.attachments_remove_expired",
    "amends.learning.services.screening.screening_kick",
    "amends.customers.value.imports.value_imports_resume",
    # Last: a slow IMAP server (up to each mailbox's timeout) delays only itself.
    "amends.mail.imap.mailboxes_poll",
]

# --- Customer notifications (amends.notify, docs/subsystems/notify.md) -------------------
# The ways a customer can be told (dotted paths of notify.channels.Channel classes; the first
# is the fallback). An SMS or WhatsApp adapter is added here, comma-separated.
AMENDS_NOTIFY_CHANNELS = [
    p for p in os.environ.get("AMENDS_NOTIFY_CHANNELS", "amends.notify.channels.EmailChannel").split(",") if p
]
# The system's own notices on one case within this many seconds go out as one mail (0: off).
# Off in tests, which set it where they test folding.
AMENDS_NOTIFY_FOLD_SECONDS = env_int(
    "AMENDS_NOTIFY_FOLD_SECONDS", 0 if env_bool("AMENDS_TESTING", False) else 120
)

# --- Email ------------------------------------------------------------------------------
# Django 6.1 mailers. The embedded default keeps mail in a local outbox (desk → Outbox);
# set AMENDS_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the host settings
# to deliver for real.
_email_backend = os.environ.get("AMENDS_EMAIL_BACKEND", "amends.notify.backends.OutboxBackend")
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": os.environ.get("AMENDS_EMAIL_HOST", "localhost"),
        "port": env_int("AMENDS_EMAIL_PORT", 25),
        "username": os.environ.get("AMENDS_EMAIL_HOST_USER", ""),
        "password": os.environ.get("AMENDS_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("AMENDS_EMAIL_USE_TLS", False),
        "timeout": env_int("AMENDS_EMAIL_TIMEOUT", 20),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("AMENDS_FROM_EMAIL", "Amends <support@amends.localhost>")
# The right-hand side of the Message-IDs Amends creates (threading replies back to cases).
AMENDS_MAIL_DOMAIN = os.environ.get("AMENDS_MAIL_DOMAIN", "amends.localhost")

# --- Inbound email (amends.mail, docs/subsystems/mail.md) --------------------------------
AMENDS_MAIL_MAX_BYTES = env_int("AMENDS_MAIL_MAX_BYTES", 30 * 1024 * 1024)  # larger: refused (552)
AMENDS_MAIL_ACK_CAP = env_int("AMENDS_MAIL_ACK_CAP", 5)  # acknowledgements per address per day
# Stored messages the worker takes in per transaction (each in its own savepoint).
AMENDS_MAIL_BATCH = env_int("AMENDS_MAIL_BATCH", 50)
AMENDS_SMTP_BIND = os.environ.get("AMENDS_SMTP_BIND", "127.0.0.1:8025")  # the built-in listener

# --- Similar complaints (amends.insight.similar, docs/subsystems/similar.md) -----------
AMENDS_SIMILAR_DAYS = env_int("AMENDS_SIMILAR_DAYS", 90)  # other customers' cases this close in time
# Estimated Jaccard similarity (0-1) from which another customer's case is shown as similar,
# and from which this customer's own earlier case counts as "the same thing".
AMENDS_SIMILAR_MIN_SIMILARITY = float(os.environ.get("AMENDS_SIMILAR_MIN_SIMILARITY", "0.4"))
AMENDS_SIMILAR_SAME_CUSTOMER_MIN_SIMILARITY = float(
    os.environ.get("AMENDS_SIMILAR_SAME_CUSTOMER_MIN_SIMILARITY", "0.25")
)
AMENDS_SIMILAR_BATCH = env_int("AMENDS_SIMILAR_BATCH", 200)  # fingerprints per drain transaction

# --- Cause category suggestions (amends.insight.suggest, docs/subsystems/suggest.md) ----
AMENDS_SUGGEST_BATCH = env_int("AMENDS_SUGGEST_BATCH", 200)  # cases per drain transaction
# Retrain at most this often, and only when agents confirmed or corrected categories since.
AMENDS_SUGGEST_RETRAIN_MINUTES = env_int("AMENDS_SUGGEST_RETRAIN_MINUTES", 60)
AMENDS_SUGGEST_MAX_LABELS = env_int("AMENDS_SUGGEST_MAX_LABELS", 20000)  # newest labels trained on
AMENDS_SUGGEST_CV_FOLDS = env_int("AMENDS_SUGGEST_CV_FOLDS", 5)  # each training's check; 0: none

# --- Promises and time (amends.sla, docs/subsystems/sla.md) ------------------------------
# SLA targets, calendars, regimes and escalation rules live in the database (admin). These
# are the knobs that are not per-policy.
AMENDS_PROMISE_REMINDER_MINUTES = env_int("AMENDS_PROMISE_REMINDER_MINUTES", 60)  # before due
AMENDS_FOLLOWUP_BUSINESS_DAYS = env_int("AMENDS_FOLLOWUP_BUSINESS_DAYS", 2)  # after resolution
AMENDS_FOLLOWUP_CLOSE_DAYS = env_int("AMENDS_FOLLOWUP_CLOSE_DAYS", 7)  # unanswered → case closed
AMENDS_SWEEP_BATCH = env_int("AMENDS_SWEEP_BATCH", 1000)  # due rows per sweep transaction

# --- Abuse protection -------------------------------------------------------------------
AMENDS_FORM_RATE_LIMIT = env_int("AMENDS_FORM_RATE_LIMIT", 10)  # submissions per window
AMENDS_FORM_RATE_WINDOW = env_int("AMENDS_FORM_RATE_WINDOW", 600)  # seconds
AMENDS_TRUSTED_PROXY_HEADER = os.environ.get("AMENDS_TRUSTED_PROXY_HEADER", "")

# --- Customer portal (docs/subsystems/portal.md) ---------------------------------------
AMENDS_PORTAL_SIGNIN_MINUTES = env_int("AMENDS_PORTAL_SIGNIN_MINUTES", 30)  # sign-in link and code
AMENDS_PORTAL_CASE_LINK_DAYS = env_int("AMENDS_PORTAL_CASE_LINK_DAYS", 90)  # link in each mail
AMENDS_PORTAL_SESSION_HOURS = env_int("AMENDS_PORTAL_SESSION_HOURS", 12)  # then sign in again
AMENDS_PORTAL_SIGNIN_ADDRESS_LIMIT = env_int("AMENDS_PORTAL_SIGNIN_ADDRESS_LIMIT", 5)  # per address
AMENDS_PORTAL_SIGNIN_CLIENT_LIMIT = env_int("AMENDS_PORTAL_SIGNIN_CLIENT_LIMIT", 20)  # per client
AMENDS_PORTAL_SIGNIN_WINDOW = env_int("AMENDS_PORTAL_SIGNIN_WINDOW", 3600)  # seconds

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# No inline script, style, handler or eval anywhere (docs/decisions/0009-content-security-policy.md).
# Downloads get their own sandbox policy (core.middleware), /api/docs a wider one (api/api.py).
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Report-only is for trying a changed policy on a live site without breaking pages.
if env_bool("AMENDS_CSP_REPORT_ONLY", False):
    SECURE_CSP_REPORT_ONLY = _CSP
else:
    SECURE_CSP = _CSP
# HSTS only when the deployment says it is served over HTTPS; Django sends it on secure
# requests only, so plain-http `make run` never gets it either way.
AMENDS_HTTPS = env_bool("AMENDS_HTTPS", False)
if AMENDS_HTTPS:
    SECURE_HSTS_SECONDS = env_int("AMENDS_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("AMENDS_HSTS_INCLUDE_SUBDOMAINS", False)
SESSION_COOKIE_SECURE = env_bool("AMENDS_SECURE_COOKIES", AMENDS_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AMENDS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
