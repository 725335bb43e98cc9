"""Settings, read from the environment.

Defaults give the embedded profile (SQLite under ``var/``); ``SHANZHI_ENV=production`` refuses unsafe defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("SHANZHI_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("SHANZHI_ENV", "development")
PRODUCTION = ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured("SHANZHI_ENV=production needs SECRET_KEY (at least 40 random characters).")

# Off unless asked for (SHANZHI_DEBUG=1; the older DEBUG=1 still works): the embedded profile (`make run`) serves a
# trial to other people, and Django's debug page shows settings and tracebacks to anyone. The static files are
# served by WhiteNoise either way. Never in production.
DEBUG = env_bool("SHANZHI_DEBUG", False) or env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SHANZHI_ENV=production refuses SHANZHI_DEBUG/DEBUG: the debug page shows settings.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SHANZHI_ENV=production needs ALLOWED_HOSTS.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "axes",
    "ninja",
    # In the order of the layers (docs/architecture.md): an app comes after the apps it builds on.
    "shanzhi.core",
    "shanzhi.orgs",
    "shanzhi.places",
    "shanzhi.routing",
    "shanzhi.sla",
    "shanzhi.notifications",
    "shanzhi.appeals",
    "shanzhi.supervision",
    "shanzhi.knowledge",
    "shanzhi.proactive",
    "shanzhi.grid",
    "shanzhi.datahub",
    "shanzhi.iot",
    "shanzhi.mediation",
    "shanzhi.cogovern",
    "shanzhi.open311",
    "shanzhi.exchange",
    "shanzhi.reports",
    "shanzhi.portal",
    "shanzhi.console",
    "shanzhi.demo",
]

MIDDLEWARE = [
    "shanzhi.core.observability.request_context.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shanzhi.orgs.two_factor_middleware.TwoFactorMiddleware",
    "shanzhi.core.db_routing.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Pages and API answers may carry personal data: no browser or proxy keeps a copy (static files are served
    # above, by WhiteNoise, with their own long cache).
    "shanzhi.core.no_store.NoStoreMiddleware",
    "shanzhi.core.database_unavailable.DatabaseUnavailableMiddleware",
    "shanzhi.core.coded_errors.CodedErrorMiddleware",
    # Last: turns django-axes' lockout into the refusal page.
    "axes.middleware.AxesMiddleware",
]

# Staff sign-in: django-axes counts failures per account and per address (the client's address as
# shanzhi.core.http.client_ip reads it behind SHANZHI_TRUSTED_PROXIES) and locks after AXES_FAILURE_LIMIT; the
# lockouts are in the admin (访问尝试 / Access attempts) where an administrator can lift them. Demo accounts are
# refused in production (shanzhi.orgs.sign_in).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shanzhi.orgs.sign_in.StaffBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SHANZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("SHANZHI_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "shanzhi.core.http.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "console/locked_out.html"

ROOT_URLCONF = "shanzhi.urls"
WSGI_APPLICATION = "shanzhi.wsgi.application"
ASGI_APPLICATION = "shanzhi.asgi.application"

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
    }
]

# --- database -----------------------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'shanzhi.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while one of them writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not an in-memory database: the live server of the browser tests then gets its own
    # connection (WAL, busy timeout) instead of sharing the test thread's one across threads.
    # One file per process, so two test runs in one checkout never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-shanzhi-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# A streaming replica for the read side (reports, dashboard): shanzhi.core.db_routing. Tests mirror the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["shanzhi.core.db_routing.ReadReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:workbench"
LOGOUT_REDIRECT_URL = "console:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- time and language --------------------------------------------------------------------------------------
TIME_ZONE = os.environ.get("SHANZHI_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

# --- files --------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("SHANZHI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# --- background work ----------------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SHANZHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- security -----------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (Django's own middleware): scripts, styles, fonts and requests from this site only — no
# inline script or style anywhere (the templates have none; a test walks the pages with a browser and listens for
# violations). Map tiles are images from the tile servers named in SHANZHI_CSP_IMG_ORIGINS (space-separated
# origins, e.g. "https://tile.openstreetmap.org https://t0.tianditu.gov.cn") and the portal's tile URL.
_img_origins = os.environ.get("SHANZHI_CSP_IMG_ORIGINS", "").split()
# The maps' base layer: one tile URL template ({z}/{x}/{y}) and its attribution for every map (OpenStreetMap by
# default; 天地图 with its key, or a tile server of the city's own; "" for none, where the browser may not reach
# outside — the maps then draw the district's own outlines only). The portal and the data hub may each override it.
SHANZHI_MAP_TILE_URL = os.environ.get("SHANZHI_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SHANZHI_MAP_TILE_ATTRIBUTION = os.environ.get("SHANZHI_MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
SHANZHI_PORTAL_TILE_URL = os.environ.get("SHANZHI_PORTAL_TILE_URL", SHANZHI_MAP_TILE_URL)
SHANZHI_PORTAL_TILE_ATTRIBUTION = os.environ.get("SHANZHI_PORTAL_TILE_ATTRIBUTION", SHANZHI_MAP_TILE_ATTRIBUTION)
SHANZHI_DATAHUB_TILE_URL = os.environ.get("SHANZHI_DATAHUB_TILE_URL", SHANZHI_MAP_TILE_URL)
for _tiles in {SHANZHI_MAP_TILE_URL, SHANZHI_PORTAL_TILE_URL, SHANZHI_DATAHUB_TILE_URL}:
    if _tiles.startswith(("https://", "http://")):  # each tile server is an allowed image source, nothing else
        _img_origins.append("/".join(_tiles.split("/")[:3]).replace("{s}", "*"))
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", *_img_origins],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    # The centre's domain serves HTTPS only, subdomains included (set both to 0 where a subdomain still has HTTP).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- logging: never personal data (see shanzhi.core.pii) ----------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # SHANZHI_LOG_FORMAT=json: one JSON object per line with the request id (docs/operations.md).
        "json": {"()": "shanzhi.core.observability.json_logs.json_formatter"},
    },
    "filters": {
        "withhold_exception_messages": {"()": "shanzhi.core.log_filters.WithholdExceptionMessages"},
        "request_id": {"()": "shanzhi.core.observability.request_context.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("SHANZHI_LOG_FORMAT", "plain") == "json" else "plain",
            # Tracebacks without exception messages, which may quote personal data (shanzhi.core.log_filters).
            "filters": ["request_id"] if DEBUG else ["request_id", "withhold_exception_messages"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Shanzhi ------------------------------------------------------------------------------------------------
SHANZHI: dict[str, Any] = {
    # 12-digit code of the district this centre serves, and its tracking-number prefix.
    "DISTRICT_CODE": os.environ.get("SHANZHI_DISTRICT_CODE", "150302000000"),
    "TRACKING_PREFIX": os.environ.get("SHANZHI_TRACKING_PREFIX", "HB"),
    "CENTRE_CODE": os.environ.get("SHANZHI_CENTRE_CODE", "150302-ZX"),
    # The address citizens reach the portal at (printed in doorplate QR codes and SMS links).
    "PUBLIC_BASE_URL": os.environ.get("SHANZHI_PUBLIC_BASE_URL", ""),
    # Key for encrypting ID numbers at rest; derived from SECRET_KEY when not set (set it in production).
    "FIELD_KEY": os.environ.get("SHANZHI_FIELD_KEY", ""),
    # The audit chain's HMAC key (ADR 0024); empty: derived from SECRET_KEY. Set it so SECRET_KEY can be rotated.
    "AUDIT_KEY": os.environ.get("SHANZHI_AUDIT_KEY", ""),
    "ATTACHMENT_MAX_BYTES": int(os.environ.get("SHANZHI_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
    # Open311 media_url: fetch the picture into the appeal (public addresses only unless ALLOW_PRIVATE).
    "OPEN311_MEDIA_FETCH": os.environ.get("SHANZHI_OPEN311_MEDIA_FETCH", "1") == "1",
    "OPEN311_MEDIA_ALLOW_PRIVATE": os.environ.get("SHANZHI_OPEN311_MEDIA_ALLOW_PRIVATE", "") == "1",
    "NOTIFIER_BACKEND": os.environ.get("SHANZHI_NOTIFIER_BACKEND", "shanzhi.notifications.backends.LogBackend"),
    "SMS_GATEWAY_URL": os.environ.get("SHANZHI_SMS_GATEWAY_URL", ""),
    "SMS_GATEWAY_KEY": os.environ.get("SHANZHI_SMS_GATEWAY_KEY", ""),
    # Behind nginx: the internal location that serves SHANZHI_MEDIA_ROOT after the application's check
    # (X-Accel-Redirect); empty: the application streams the files itself.
    "MEDIA_ACCEL_PREFIX": os.environ.get("SHANZHI_MEDIA_ACCEL_PREFIX", ""),
    # How many proxies stand in front (nginx alone: 1), to read the client's address from X-Forwarded-For.
    "TRUSTED_PROXIES": int(os.environ.get("SHANZHI_TRUSTED_PROXIES", "0")),
    # Hot write paths (intake) prepare their insert statements on the server; turn off behind a connection pooler
    # that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
    "BULK_INSERT_PREPARE": os.environ.get("SHANZHI_BULK_INSERT_PREPARE", "1") not in ("0", "false", "no"),
    # Who may read /metrics: these networks (Prometheus on the same host or the monitoring network) or a bearer token.
    "METRICS_ALLOW": env_list("SHANZHI_METRICS_ALLOW", "127.0.0.1/32,::1/128"),
    "METRICS_TOKEN": os.environ.get("SHANZHI_METRICS_TOKEN", ""),
    # Pages whose reads go to DATABASE_REPLICA_URL when it is set (GET and HEAD only).
    "REPLICA_PATHS": env_list("SHANZHI_REPLICA_PATHS", "/console/reports/"),
}

if PRODUCTION and SHANZHI["NOTIFIER_BACKEND"].rsplit(".", 1)[-1] == "LogBackend":
    # The log backend only writes a line and reports "sent": a production centre must never pretend to send.
    raise ImproperlyConfigured(
        "SHANZHI_ENV=production needs a real SMS backend: set SHANZHI_NOTIFIER_BACKEND (e.g. "
        "shanzhi.notifications.backends.HttpSmsGatewayBackend with SHANZHI_SMS_GATEWAY_URL/KEY)."
    )
if PRODUCTION and not SHANZHI["FIELD_KEY"]:
    raise ImproperlyConfigured("SHANZHI_ENV=production needs SHANZHI_FIELD_KEY (a Fernet key) to encrypt ID numbers.")

_ = _  # marks gettext_lazy as used for translators

# Staff two-factor sign-in (TOTP; docs/security.md): required for administrators and whoever may see personal data.
# On in production; off by default elsewhere so that the embedded demo's users sign in with the password alone.
SHANZHI_TWO_FACTOR_REQUIRED = env_bool("SHANZHI_TWO_FACTOR_REQUIRED", PRODUCTION)
# API key rate limits are counted in the database unless a shared cache is named (Redis: pip install redis).
if os.environ.get("SHANZHI_REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["SHANZHI_REDIS_URL"],
        },
    }
SHANZHI_API_RATE_LIMIT_CACHE = "shared" if os.environ.get("SHANZHI_REDIS_URL") else ""
