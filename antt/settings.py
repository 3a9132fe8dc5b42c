"""ANTT settings: one module, every knob an ``ANTT_*`` environment variable (see ``.env.example``).

SQLite is the embedded default; ``ANTT_DATABASE_URL`` switches to PostgreSQL and ``ANTT_REDIS_URL`` turns
on Redis for the cache (and, later, the channel layer). Secrets may come from ``ANTT_<NAME>_FILE``.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """The value of ``ANTT_<name>``, or of the file named by ``ANTT_<name>_FILE``, or ``default``."""
    key = f"ANTT_{name}"
    file_name = os.environ.get(f"{key}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{key}_FILE={file_name!r} cannot be read: {exc.strerror}. "
                f"/ Không đọc được tệp {key}_FILE={file_name!r}."
            ) from exc
    return os.environ.get(key, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"ANTT_{name}={raw!r} is not a yes/no value: use 1 or 0. / ANTT_{name}={raw!r} không hợp lệ: dùng 1 hoặc 0."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ImproperlyConfigured(
            f"ANTT_{name}={raw!r} must be a whole number ≥ {minimum}. "
            f"/ ANTT_{name}={raw!r} phải là số nguyên ≥ {minimum}."
        )
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
DEMO = env_bool("DEMO", default=False)
# HTTPS-only behaviour (SSL redirect, secure cookies, HSTS): on in production, off for the local demo.
HTTPS = env_bool("HTTPS", default=not (DEBUG or DEMO))

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG or DEMO:
        SECRET_KEY = "insecure-development-key-only-for-the-local-demo-and-tests-0123456789"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "ANTT_SECRET_KEY is not set: give a long random value (or ANTT_SECRET_KEY_FILE). "
            "/ Chưa đặt ANTT_SECRET_KEY: hãy đặt một chuỗi ngẫu nhiên dài (hoặc ANTT_SECRET_KEY_FILE)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "antt.core",
    "antt.accounts",
    "antt.audit",
    "antt.events",
    "antt.forces",
    "antt.planning",
    "antt.interop",
    "django_tasks",
    "django_tasks_db",
    "antt.rostering",
    "antt.plans",
    "channels",
    "antt.operations",
    "antt.reports",
    "antt.documents",
    "antt.demo",  # the demo seeding and `antt demo`: above every domain app
]

MIDDLEWARE = [
    "antt.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "antt.core.middleware.PermissionsPolicyMiddleware",
    "antt.core.static_files.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "antt.accounts.middleware.SessionLimitsMiddleware",
    "antt.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "antt.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "antt.urls"
ASGI_APPLICATION = "antt.asgi.application"
WSGI_APPLICATION = "antt.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "antt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "antt.core.context_processors.antt",
                "antt.events.context_processors.my_events",
            ],
        },
    }
]

# --- Database: SQLite embedded by default, PostgreSQL from ANTT_DATABASE_URL -------------------------
SQLITE_PATH = Path(env("SQLITE_PATH", str(BASE_DIR / "var" / "antt.sqlite3")) or "")
DATABASE_URL = env("DATABASE_URL", "") or ""
if DATABASE_URL:
    scheme = urlparse(DATABASE_URL).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"ANTT_DATABASE_URL must look like postgres://user@host:5432/name or sqlite:///path, "
            f"got scheme {scheme!r}. / ANTT_DATABASE_URL phải có dạng postgres://user@host:5432/name "
            f"hoặc sqlite:///đường-dẫn."
        )
    try:
        # 0 by default: under ASGI each request runs its ORM calls in a thread of its own, and a persistent
        # connection per thread exhausted PostgreSQL's max_connections under field load ("too many clients",
        # docs/field.md); Django's advice for async servers is to not keep them. Put PgBouncer in front to pool.
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"ANTT_DATABASE_URL cannot be parsed ({exc}). / Không phân tích được ANTT_DATABASE_URL ({exc})."
        ) from exc
    if _db["ENGINE"].endswith("postgresql"):
        _db["CONN_HEALTH_CHECKS"] = True
        # ANTT_DB_POOL=N: a pool of at most N connections per server process (psycopg_pool, Django's "pool"
        # option): a request borrows one and gives it back, whatever thread ASGI ran it in, instead of
        # opening a connection (a PostgreSQL backend started on the same cores) per request. 0: no pool.
        _pool = env_int("DB_POOL", 0)
        if _pool > 0:
            _db["CONN_MAX_AGE"] = 0  # the pool keeps them; Django refuses both
            _db["CONN_HEALTH_CHECKS"] = False
            _db.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": _pool, "timeout": 10}
        # ANTT_DB_PREPARE=N: the parameters go to the server apart from the statement (psycopg's server-side
        # binding), and a statement that has run N times on a connection is prepared there, so PostgreSQL no longer
        # parses and plans it each time: a field report cost it 1.0 ms of CPU instead of 1.4 (docs/field.md,
        # "Eighth round"). On by default (5) when connections live long (the pool, or a CONN_MAX_AGE); 0 turns
        # it off, e.g. behind a PgBouncer in transaction pooling older than 1.21 or without
        # max_prepared_statements. CI runs the PostgreSQL suite with it on.
        _prepare = env_int("DB_PREPARE", 5 if _pool > 0 or _db.get("CONN_MAX_AGE") else 0)
        if _prepare > 0:
            _db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=_prepare)
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH)}
if _db["ENGINE"].endswith("sqlite3") and env("DB_CONN_MAX_AGE") in (None, ""):
    # SQLite keeps its connections (a thread's, for 10 minutes): opening one (the file, the pragmas below,
    # Django's SQL functions) cost ≈ 2 to 4 ms of CPU, a sixth of a field report (docs/field.md "Figures"). Under
    # uvicorn the request threads are reused; up to 64 idle ones (and their connections) are kept (asgi_handler).
    _db["CONN_MAX_AGE"] = 600
if _db["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE: every transaction takes the write lock at BEGIN, so concurrent writers queue instead of
    # failing on lock upgrade; WAL lets readers go on; foreign keys are on in Django's SQLite backend.
    # antt.core.db.sqlite3: Django's backend, with one process's threads queueing for the write lock and woken
    # when it is freed (SQLite's busy handler sleeps up to 100 ms between tries).
    _db["ENGINE"] = "antt.core.db.sqlite3"
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db.setdefault("TEST", {})
DATABASES = {"default": _db}

# Under ASGI (uvicorn), each request's synchronous work (middleware, view, ORM) runs on one of at most this
# many places per server process (antt.core.asgi_handler, reused threads); a request that finds them all busy
# waits for one. Reading the body and sending the answer take no place: a slow client holds up no one.
REQUEST_THREADS = env_int("REQUEST_THREADS", 16, minimum=1)

# --- Cache: Redis when configured, local memory otherwise ------------------------------------------
REDIS_URL = env("REDIS_URL", "") or ""
if REDIS_URL:
    if urlparse(REDIS_URL).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            "ANTT_REDIS_URL must look like redis://host:6379/0. / ANTT_REDIS_URL phải có dạng redis://host:6379/0."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "antt"),
            # A Redis that does not answer costs a request seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Live updates (Channels): in memory in one process by default, Redis when ANTT_REDIS_URL is set ----
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: one Redis message per update and server process, handed to every board of the process
            # in memory. (The list-based ``core.RedisChannelLayer`` writes one message per board into one key
            # per process, read back one round trip each, and drops what exceeds the key's capacity.)
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": (env("CACHE_PREFIX", "antt") or "antt") + ":ws"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "antt.operations.layers.ThreadSafeInMemoryChannelLayer"}}

# --- Accounts, sessions, two-factor, lockout --------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "events:list"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

OTP_TOTP_ISSUER = env("OTP_ISSUER", "ANTT")
OTP_TOTP_TOLERANCE = 1

# Personal API tokens: a token without an expiry gets the default lifetime; none may live longer than the
# maximum. A password change or a second-factor reset revokes all of a person's tokens.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 30, minimum=1)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 90, minimum=1)
if API_TOKEN_DEFAULT_DAYS > API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        "ANTT_API_TOKEN_DEFAULT_DAYS must not exceed ANTT_API_TOKEN_MAX_DAYS. "
        "/ ANTT_API_TOKEN_DEFAULT_DAYS không được lớn hơn ANTT_API_TOKEN_MAX_DAYS."
    )

AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 10, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "antt.accounts.views.locked_out"
# The client's address (lockout, logs, audit): antt.core.client.client_ip, from ANTT_PROXY_COUNT trusted
# proxies (0: the socket address, X-Forwarded-For ignored; N: the N-th address from its right).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "antt.core.client.client_ip"
AXES_VERBOSE = False

# --- Security ----------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page may use (Permissions-Policy header); a view that needs one (the field app's
# position and photo pages) opts in with @antt.core.middleware.allow_features(geolocation=["self"], ...).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera", "display-capture",
        "encrypted-media", "fullscreen", "geolocation", "gyroscope", "hid", "magnetometer", "microphone",
        "midi", "payment", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip
CSRF_FAILURE_VIEW = "antt.core.views.csrf_failure"
# Map tiles for Leaflet, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png; empty: the map draws its
# geometry on a blank grid. ANTT_TILE_URL is the older name of ANTT_MAP_TILE_URL.
MAP_TILE_URL = env("MAP_TILE_URL", "") or env("TILE_URL", "") or ""
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "") or ""
if MAP_TILE_URL and urlparse(MAP_TILE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        "ANTT_MAP_TILE_URL must start with https:// (or http://). / ANTT_MAP_TILE_URL phải bắt đầu bằng https://."
    )
# The tile host for CSP img-src: a "{s}" subdomain placeholder becomes the "*." wildcard CSP allows.
_tile_host = urlparse(MAP_TILE_URL).netloc.split("@")[-1]
if _tile_host.startswith("{s}."):
    _tile_host = "*." + _tile_host[4:]
if "{" in _tile_host:
    raise ImproperlyConfigured(
        "ANTT_MAP_TILE_URL may only use {s} as the first part of its host name. "
        "/ ANTT_MAP_TILE_URL chỉ được dùng {s} ở phần đầu tên máy chủ."
    )
TILE_URL = MAP_TILE_URL
# An offline base map: a PMTiles file (Protomaps) on this server, served to event members with HTTP range
# requests (docs/map.md). Takes precedence over ANTT_MAP_TILE_URL.
MAP_PMTILES = Path(env("MAP_PMTILES", "") or "") if env("MAP_PMTILES", "") else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [
            SELF,
            "data:",
            *([urlparse(MAP_TILE_URL).scheme + "://" + _tile_host] if MAP_TILE_URL else []),
        ],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Internationalisation ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "antt" / "locale"]
LANGUAGE_COOKIE_NAME = "antt_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["antt.formats"]  # one date/time style per language (antt/formats/<lang>/formats.py)
TIME_ZONE = "UTC"
DEFAULT_EVENT_TIME_ZONE = env("DEFAULT_TIME_ZONE", "Asia/Ho_Chi_Minh")

# --- Static files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")) or "")
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing directory
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; development and tests serve the source files.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")) or "")
# Classified documents (docs/documents.md): ciphertext only, in their own storage; master keys from the
# environment ("id:base64-of-32-bytes", comma or newline separated, the first current; or ANTT_DOCUMENTS_KEYS_FILE).
ANTT_DOCUMENTS_ROOT = Path(env("DOCUMENTS_ROOT", str(BASE_DIR / "var" / "documents")) or "")
STORAGES["documents"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(ANTT_DOCUMENTS_ROOT), "file_permissions_mode": 0o600},
}
ANTT_DOCUMENTS_KEYS = env("DOCUMENTS_KEYS", "") or ""
ANTT_DOCUMENTS_MAX_BYTES = int(env("DOCUMENTS_MAX_MB", "50") or "50") * 1024 * 1024
ANTT_DOCUMENTS_FONT = env("DOCUMENTS_FONT", "") or ""
WHITENOISE_USE_FINDERS = DEBUG or DEMO or not env_bool("STATIC_MANIFEST", default=not DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG

# --- API -------------------------------------------------------------------------------------------------
# Seconds a server process keeps an API token's sign-in (token, user, event, membership) before reading it
# again (antt/core/shortcache.py): a revoked token or an ended membership stops working within them. 0: never.
SIGNIN_CACHE_SECONDS = float(env("SIGNIN_CACHE_SECONDS", "5") or 5)
# Seconds a server process keeps an officer's duties for their position batches, while the plan's version
# stays the same (antt/operations/field_queries.py): a post's radius changed elsewhere applies within them.
DUTY_CACHE_SECONDS = float(env("DUTY_CACHE_SECONDS", "120") or 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "antt.accounts.authentication.TokenAuthentication",
        "antt.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "antt.events.api_permissions.EventWritePermission",  # permission before the body's rules
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "antt.core.api.exception_handler",
    # JSON bounded in size and depth (a 400, never a RecursionError); forms as DRF has them
    "DEFAULT_PARSER_CLASSES": [
        "antt.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "antt.core.pagination.Pagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ANTT API",
    "DESCRIPTION": "Security and public order operations for large planned events. / An ninh, trật tự sự kiện.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENABLE_DJANGO_DEPLOY_CHECK": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "antt.core.permissions.Role",
        "ClearanceEnum": "antt.core.permissions.Clearance",
        "EventStatusEnum": "antt.events.models.Event.Status",
        "IncidentStatusEnum": "antt.operations.models.incidents.Incident.Status",
        "IncidentSourceEnum": "antt.operations.models.incidents.Incident.Source",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "antt.core.openapi.document_error_responses",
    ],
}

# --- Background tasks --------------------------------------------------------------------------------------
# Field positions are kept this many days after they were received, then deleted by a task (docs/field.md).
POSITION_RETENTION_DAYS = int(env("POSITION_RETENTION_DAYS", "30") or "30")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# ANTT_TASKS_BACKEND=database: tasks wait in the database for `antt db_worker` (production; `antt demo`
# uses it and starts the worker itself). Immediate (the default) runs a task where it is enqueued;
# ANTT_SOLVER_THREAD=1 then runs solver runs in a thread of the web process, so the page shows progress.
if (env("TASKS_BACKEND", "database" if DEMO else "immediate") or "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SOLVER_THREAD = env_bool("SOLVER_THREAD", default=DEBUG)
# A server worker builds the live coverage index of the open events in a background thread when it starts
# (the ASGI lifespan's startup; docs/gap-board.md), so its first gap board does not wait for it.
COVERAGE_WARM_AT_START = env_bool("WARM_COVERAGE", default=True)

# --- Audit ------------------------------------------------------------------------------------------------------
AUDIT_KEY = env("AUDIT_KEY", "") or ""
# Signed checkpoints outside the database (`antt audit checkpoint --auto`); `antt audit verify` starts from
# the newest and warns (exit 3) when it is older than AUDIT_CHECKPOINT_MAX_AGE_HOURS.
AUDIT_CHECKPOINT_DIR = env("AUDIT_CHECKPOINT_DIR", "") or ""
AUDIT_CHECKPOINT_KEEP = int(env("AUDIT_CHECKPOINT_KEEP", "200") or "200")
AUDIT_CHECKPOINT_KEEP_DAYS = int(env("AUDIT_CHECKPOINT_KEEP_DAYS", "90") or "90")
AUDIT_CHECKPOINT_MAX_AGE_HOURS = float(env("AUDIT_CHECKPOINT_MAX_AGE_HOURS", "26") or "26")

# --- Logging: one JSON line per record, with the request id --------------------------------------------------
LOG_LEVEL = (env("LOG_LEVEL", "INFO") or "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "antt.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "antt.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
