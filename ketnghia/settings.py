"""Django settings for ketnghia, read from the environment.

Defaults are safe for production (DEBUG off, no hosts allowed, a secret key required).
`KETNGHIA_PROFILE=local` is what `make run` uses: DEBUG on, bound to 127.0.0.1, SQLite under
`var/`, a secret key generated once into `var/secret_key`.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KETNGHIA_VAR_DIR", PROJECT_DIR / "var"))

PROFILE = os.environ.get("KETNGHIA_PROFILE", "production")
TESTING = "pytest" in sys.modules or os.environ.get("KETNGHIA_TESTING") == "1"
LOCAL = PROFILE == "local" or TESTING


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _local_secret_key() -> str:
    """Return the local profile's key, generating it once so sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


DEBUG = _env_bool("DEBUG", PROFILE == "local")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if TESTING:
        SECRET_KEY = "test-only-key-not-secret"
    elif LOCAL:
        SECRET_KEY = _local_secret_key()
    # In production an unset key stays empty: Django refuses anything that signs (sessions,
    # CSRF) with a clear error, while database-free commands such as `ketnghia classify` run.

ALLOWED_HOSTS = _env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if LOCAL else []
)
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "bootstrap",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_prose_editor",
    "ketnghia.core",
    "ketnghia.imports",
    "ketnghia.geo",
    "ketnghia.accounts",
    "ketnghia.programs",
    "ketnghia.poverty",
    "ketnghia.twinning",
    "ketnghia.households",
    "ketnghia.census",
    "ketnghia.criteria",
    "ketnghia.support",
    "ketnghia.economy",
    "ketnghia.indicators",
    "ketnghia.reports",
    "ketnghia.dashboards",
    "ketnghia.demo",
    "ketnghia.reform",
    "ketnghia.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Read-only pages read from the read replica when one is configured (core.replicas).
    "ketnghia.core.replicas.ReplicaReadsMiddleware",
    # Vietnamese first, whatever the browser asks; the language switch overrides it.
    "ketnghia.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Content-Security-Policy, and Cache-Control: no-store for signed-in users.
    "ketnghia.core.middleware.SecurityHeadersMiddleware",
    # The project's 404 page with DEBUG on too (inside the headers, so it gets the CSP).
    "ketnghia.core.refusals.ErrorPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "ketnghia.core.gate.GateMiddleware",
]

ROOT_URLCONF = "ketnghia.urls"
WSGI_APPLICATION = "ketnghia.wsgi.application"

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
                "ketnghia.core.context_processors.site",
                "ketnghia.core.context_processors.navigation",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'ketnghia.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite),
        # Persistent connections (seconds; 0 = one per request) are checked before reuse, so
        # after a database restart the first request reconnects instead of failing.
        conn_max_age=int(os.environ.get("KETNGHIA_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not os.environ.get("DATABASE_URL"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while an import writes; IMMEDIATE avoids "database is locked"
    # upgrades in concurrent write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# A streaming read replica of the PostgreSQL primary (postgres://host:5432/name; the name may
# be left out: the primary's). The read-only pages read from it (`core.replicas`); writes,
# other pages and transactions use the primary. A replica that does not answer within
# KETNGHIA_REPLICA_CONNECT_TIMEOUT seconds, or lags more than KETNGHIA_REPLICA_MAX_LAG
# seconds, is skipped with a warning; a browser that wrote reads from the primary for
# KETNGHIA_REPLICA_READ_YOUR_WRITES seconds. In tests it mirrors the test database (same
# name, the replica's own server): the replica tests read what the primary's test wrote.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("KETNGHIA_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["NAME"] = DATABASES["replica"].get("NAME") or DATABASES["default"]["NAME"]
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = int(
            os.environ.get("KETNGHIA_REPLICA_CONNECT_TIMEOUT", "2")
        )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ketnghia.core.replicas.ReplicaRouter"]
KETNGHIA_REPLICA_MAX_LAG = float(os.environ.get("KETNGHIA_REPLICA_MAX_LAG", "30"))
KETNGHIA_REPLICA_READ_YOUR_WRITES = int(os.environ.get("KETNGHIA_REPLICA_READ_YOUR_WRITES", "15"))
KETNGHIA_REPLICA_CHECK_SECONDS = float(os.environ.get("KETNGHIA_REPLICA_CHECK_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache for the web workers when a Redis server is named (redis://host:6379/0):
# sessions are then read from it and written through to the database (`cached_db`), so a
# page no longer reads its session row. Without it each process keeps its own local cache
# and sessions stay in the database only.
CACHE_URL = os.environ.get("KETNGHIA_CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "ketnghia",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Pages built from the aggregates (dashboards, the review report) are cached by data version
# (`indicators.cache`); entries also expire after this many seconds.
KETNGHIA_PAGE_CACHE_SECONDS = int(os.environ.get("KETNGHIA_PAGE_CACHE_SECONDS", "600"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, reading the user's jurisdiction with them (one query a page, not two).
    "ketnghia.accounts.backends.UserWithJurisdictionBackend",
    # Sessions signed in before the backend above existed name Django's own: listed so that
    # they stay signed in across the deploy (it finds the same users by the same check).
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests create many users; hashing strength is not what they test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login lockout: after AXES_FAILURE_LIMIT failures for one username from one address the
# account is locked for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js from the installed plotly package (no CDN), as static/plotly/plotly.min.js.
    "ketnghia.dashboards.finders.PlotlyFinder",
]
# Locally and in tests static files are served straight from the installed packages.
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Background work (census uploads) through django-tasks. Production keeps tasks in the database
# and runs `ketnghia db_worker`; tests and `make run` run a task at once inside the request,
# unless KETNGHIA_TASK_WORKER=1 says a worker is running beside the local server.
_TASKS_IMMEDIATE = TESTING or (PROFILE == "local" and not _env_bool("KETNGHIA_TASK_WORKER", False))
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if _TASKS_IMMEDIATE
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A census upload larger than this is refused before it is read (bytes; 200 MB by default).
KETNGHIA_IMPORT_MAX_BYTES = int(os.environ.get("KETNGHIA_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# A workbook (zip) may inflate to at most this many times its own size, and to at most
# 20 × KETNGHIA_IMPORT_MAX_BYTES; checked before any library opens it (imports.readers.archive).
KETNGHIA_IMPORT_MAX_INFLATE_RATIO = int(os.environ.get("KETNGHIA_IMPORT_MAX_INFLATE_RATIO", "100"))
# A workbook sheet whose values reach beyond this many cells (rows × columns from A1) is not
# given to calamine but read by its cells (imports.readers.extent, imports.readers.sparse).
KETNGHIA_IMPORT_MAX_CELLS = int(os.environ.get("KETNGHIA_IMPORT_MAX_CELLS", "25000000"))
# A sheet beyond this many cells is streamed row by row (imports.readers.stream), so an
# import's memory does not grow with the rows; smaller ones are loaded whole by calamine.
KETNGHIA_IMPORT_STREAM_CELLS = int(os.environ.get("KETNGHIA_IMPORT_STREAM_CELLS", "1000000"))
# Web uploads are imported in a child process with this address-space limit (MB), so no
# file can take the web server or the task worker down; tests import in-process.
KETNGHIA_IMPORT_WORKER_PROCESS = _env_bool("KETNGHIA_IMPORT_WORKER_PROCESS", not TESTING)
KETNGHIA_IMPORT_WORKER_MEMORY_MB = int(os.environ.get("KETNGHIA_IMPORT_WORKER_MEMORY_MB", "3072"))
KETNGHIA_IMPORT_WORKER_TIMEOUT = int(os.environ.get("KETNGHIA_IMPORT_WORKER_TIMEOUT", "3600"))
# An import job still "running" this long after it started (or whose process is gone) was
# left by a dead worker: `ketnghia imports sweep`, and every background job before it starts,
# mark it failed (imports.jobs.jobs_sweep). Default: the worker's time limit and 5 minutes.
KETNGHIA_IMPORT_JOB_STALE_SECONDS = int(
    os.environ.get("KETNGHIA_IMPORT_JOB_STALE_SECONDS", str(KETNGHIA_IMPORT_WORKER_TIMEOUT + 300))
)
# The fewest working days (Mon–Fri) the draft census list stays posted (Decision 24/2021/QĐ-TTg: 3).
KETNGHIA_POSTING_MIN_WORKING_DAYS = int(os.environ.get("KETNGHIA_POSTING_MIN_WORKING_DAYS", "3"))
# An import that would change more than this share of a round's existing entries, or bring
# back an earlier round's values, needs an explicit confirmation (web button, CLI --confirm).
KETNGHIA_IMPORT_CONFIRM_SHARE = float(os.environ.get("KETNGHIA_IMPORT_CONFIRM_SHARE", "0.2"))
# An attachment (meeting minutes, photos, evidence) larger than this is refused (20 MB).
KETNGHIA_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("KETNGHIA_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
)

# The public portal (ketnghia/portal/README.md): WordPress's comment rules, the small-cell
# minimum of public figures, retention of commenters' emails and addresses. Keys left out
# take the defaults of ketnghia/portal/conf.py.
KETNGHIA_PORTAL = {
    "manual_moderation": _env_bool("KETNGHIA_PORTAL_MANUAL_MODERATION", False),
    "max_links": int(os.environ.get("KETNGHIA_PORTAL_MAX_LINKS", "2")),
    "first_time_hold": _env_bool("KETNGHIA_PORTAL_FIRST_TIME_HOLD", True),
    "flood_seconds": int(os.environ.get("KETNGHIA_PORTAL_FLOOD_SECONDS", "15")),
    "retention_days": int(os.environ.get("KETNGHIA_PORTAL_RETENTION_DAYS", "730")),
    "small_cell_min": int(os.environ.get("KETNGHIA_PORTAL_SMALL_CELL_MIN", "10")),
}
# Mail (the commenter's rights links): the console locally, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ketnghia@localhost")

SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", not LOCAL)
# A working day by default; commune and district officers' sessions also end when the browser
# closes (`accounts.sessions`), since they often share office computers.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
# HSTS and the HTTP→HTTPS redirect are the reverse proxy's job (README, settings table);
# they can still be turned on here.
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_bool("KETNGHIA_BEHIND_PROXY", False) else None
)
# Scripts from the site only (no inline script, no eval); styles may be inline (Swagger UI,
# Bootstrap's progress bars), images may be data: URIs (Swagger UI, the admin's icons).
KETNGHIA_CSP = os.environ.get(
    "KETNGHIA_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
CSRF_COOKIE_SECURE = _env_bool("CSRF_COOKIE_SECURE", not LOCAL)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    # JSON only in production; the browsable API while developing (DEBUG).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ketnghia.core.gate.GatePermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "ketnghia.core.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ketnghia API",
    "DESCRIPTION": "Programs for especially difficult communes: units, accounts, census.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set that several fields share (status and computed_status,
    # a round's state and a step's target).
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "ketnghia.poverty.rules.Status",
        "RoundStateEnum": "ketnghia.census.models.RoundState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # A refused request (403) is one line — user, route, reason — not a traceback.
    "filters": {"one_line_refusals": {"()": "ketnghia.core.refusals.OneLineRefusals"}},
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
