"""Liaison settings: one module, configured by environment variables (see README, "Configuration").

Every variable is parsed strictly: a wrong value stops start-up with a message naming it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf import locale as django_locale
from django.utils.csp import CSP

from liaison.core.env import ConfigError, env_bool, env_int, env_list, env_str, env_timezone

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(env_str("LIAISON_DATA_DIR", str(BASE_DIR / "var"))).resolve()
NODE_MODULES = Path(env_str("LIAISON_NODE_MODULES", str(BASE_DIR / "node_modules"))).resolve()

DEBUG = env_bool("LIAISON_DEBUG", False)
# HTTPS-only cookies, HSTS and redirects: on by default outside debug; the demo on http://127.0.0.1 turns it off.
HTTPS = env_bool("LIAISON_HTTPS", not DEBUG)

_INSECURE_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789abcdefghijkl"
SECRET_KEY = env_str("LIAISON_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("LIAISON_TESTING", False):
        raise ConfigError(
            "LIAISON_SECRET_KEY", "", "a random string of at least 50 characters (required when debug is off)"
        )
    SECRET_KEY = _INSECURE_KEY
elif len(SECRET_KEY) < 50:
    raise ConfigError("LIAISON_SECRET_KEY", "<hidden>", "at least 50 characters")

ALLOWED_HOSTS = env_list("LIAISON_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("LIAISON_CSRF_TRUSTED_ORIGINS", [])
TIME_ZONE = env_timezone("LIAISON_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_TZ = True

# The country of this node: units of any other country are the partner's reference records.
NODE_COUNTRY = env_str("LIAISON_NODE_COUNTRY", "VN")
NODE_NAME = env_str("LIAISON_NODE_NAME", "thanh-hoa")
# What pages call this node (the footer, a printed page's origin line): a place's name, never the slug.
NODE_TITLE = env_str(
    "LIAISON_NODE_TITLE", "Thanh Hóa" if NODE_NAME == "thanh-hoa" else NODE_NAME.replace("-", " ").title()
)
NODE_KEY_FILE = Path(env_str("LIAISON_NODE_KEY_FILE", str(DATA_DIR / "keys" / "node-ed25519.pem")))
# Cross-border exchange (issue 20): the worker pushes the outbox every EXCHANGE_PUSH_SECONDS; a
# failed push waits EXCHANGE_BACKOFF_SECONDS, doubling per attempt up to EXCHANGE_BACKOFF_MAX_SECONDS;
# a rotated peer key stays accepted for EXCHANGE_KEY_OVERLAP_DAYS.
EXCHANGE_PUSH_SECONDS = env_int("LIAISON_EXCHANGE_PUSH_SECONDS", 5, minimum=1)
EXCHANGE_BACKOFF_SECONDS = env_int("LIAISON_EXCHANGE_BACKOFF_SECONDS", 10, minimum=1)
EXCHANGE_BACKOFF_MAX_SECONDS = env_int("LIAISON_EXCHANGE_BACKOFF_MAX_SECONDS", 3600, minimum=1)
EXCHANGE_KEY_OVERLAP_DAYS = env_int("LIAISON_EXCHANGE_KEY_OVERLAP_DAYS", 14, minimum=0)
_CHECKPOINT_DIR = env_str("LIAISON_CHECKPOINT_DIR", "")
AUDIT_CHECKPOINT_INTERVAL = env_int("LIAISON_CHECKPOINT_INTERVAL", 60, minimum=1)
# A checkpoint also follows every AUDIT_CHECKPOINT_EVERY events, so that a busy minute leaves at
# most that many events unproven.
AUDIT_CHECKPOINT_EVERY = env_int("LIAISON_CHECKPOINT_EVERY", 1000, minimum=1)
# The worker's chainer links appended events every AUDIT_LINK_POLL_MS milliseconds (decision 0018);
# `audit verify` names an event still unlinked AUDIT_LINK_LIMIT seconds after it was written a fault.
AUDIT_LINK_POLL = env_int("LIAISON_AUDIT_LINK_POLL_MS", 250, minimum=10) / 1000
AUDIT_LINK_LIMIT = env_int("LIAISON_AUDIT_LINK_LIMIT", 60, minimum=1)
# The second copy of the checkpoints: another host's disk (later the partner node). Empty: none.
_CHECKPOINT_COPY_DIR = env_str("LIAISON_CHECKPOINT_COPY_DIR", "")
AUDIT_CHECKPOINT_COPY_DIR = Path(_CHECKPOINT_COPY_DIR) if _CHECKPOINT_COPY_DIR else None
# The key of the audit chain (HMAC-SHA256), kept outside the database like the person key, so that
# database access alone cannot forge an event; created on first use, mode 0600.
AUDIT_KEY_FILE = Path(env_str("LIAISON_AUDIT_KEY_FILE", str(DATA_DIR / "keys" / "audit-chain.key")))
PERSON_KEY_FILE = Path(env_str("LIAISON_PERSON_KEY_FILE", str(DATA_DIR / "keys" / "persons.key")))
ATTACHMENT_DIR = Path(env_str("LIAISON_ATTACHMENT_DIR", str(DATA_DIR / "attachments")))
ATTACHMENT_MAX_BYTES = env_int("LIAISON_ATTACHMENT_MAX_MB", 10, minimum=1) * 1_000_000

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "ninja",
    "liaison.core",
    "liaison.org",
    "liaison.geo",
    "liaison.audit",
    "liaison.accounts",
    "liaison.intel",
    "liaison.incidents",
    "liaison.situation",
    "liaison.patrols",
    # programs: campaigns per commune (issue 17)
    "liaison.programs",
    # field reporting: offline reports, SMS, the tip line (issue 19)
    "liaison.field",
    "liaison.briefings",
    # exchange: two sovereign nodes, signed envelopes (issue 20)
    "liaison.exchange",
    "liaison.demo",
    "django_tasks_db",
    "liaison.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "liaison.core.middleware.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "liaison.core.middleware.RequestContextMiddleware",
    "liaison.core.middleware.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The kernel (liaison.core) imports no context: the two things its interfaces need from them are
# named here. Who acts in a request (org), and where a refusal is recorded (the audit log).
LIAISON_ACTOR_FOR_REQUEST = "liaison.org.actor.actor_for_request"
LIAISON_RECORD_REFUSAL = "liaison.audit.log.record_refusal"

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"
ASGI_APPLICATION = "liaison.asgi.application"
# The paths served as ASGI by `liaison serve`'s stream process (decision 0019): the live feed.
LIAISON_ASGI_PATHS = ("/events/stream",)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.web.context.liaison",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'liaison.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL)
except Exception:  # dj-database-url raises several types for a malformed URL
    raise ConfigError("DATABASE_URL", "<hidden>", "a postgres:// or sqlite:/// URL") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + synchronous=FULL: no acknowledged write is lost on power failure; IMMEDIATE
    # transactions take the write lock at BEGIN, so concurrent writers wait instead of failing.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # A connection pool per process (psycopg_pool): under ASGI every request runs in a thread of
    # its own, so persistent per-thread connections (CONN_MAX_AGE) would be left open by each
    # request until PostgreSQL refuses new clients (measured: 52 idle connections after 4 s of
    # load, then "too many clients"). JIT is off: it cost 80 ms of compilation on reads that run
    # in 20 (docs/performance.md).
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "pool": {
            "min_size": env_int("LIAISON_DB_POOL_MIN", 2),
            "max_size": env_int("LIAISON_DB_POOL_MAX", 20),
            "timeout": 10,
        },
        "options": "-c jit=off",
    }
    _db["TEST"] = {"NAME": env_str("LIAISON_TEST_DB_NAME", "test_liaison")}
else:
    # Never print the URL itself: it may carry a password.
    raise ConfigError(
        "DATABASE_URL", f"{DATABASE_URL.split(':', 1)[0]}://<hidden>", "a postgres:// or sqlite:/// URL"
    )
DATABASES = {"default": _db}
# Signed audit checkpoints: one directory per database, so that a demo database recreated from
# scratch does not meet the checkpoints of the one it replaced.
AUDIT_CHECKPOINT_DIR = (
    Path(_CHECKPOINT_DIR) if _CHECKPOINT_DIR else (DATA_DIR / "checkpoints" / Path(str(_db["NAME"])).stem)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: Django's tasks framework on the database backend (enqueue = a row in the
# service's transaction). `liaison worker` runs the tasks, the sweepers and the reaper.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_SWEEP_SECONDS = env_int("LIAISON_SWEEP_SECONDS", 5, minimum=1)
# A worker beats every WORKER_HEARTBEAT_SECONDS; one silent for WORKER_DEAD_AFTER_SECONDS is dead
# and its running jobs go back to the queue.
WORKER_HEARTBEAT_SECONDS = env_int("LIAISON_WORKER_HEARTBEAT_SECONDS", 2, minimum=1)
WORKER_DEAD_AFTER_SECONDS = env_int("LIAISON_WORKER_DEAD_AFTER_SECONDS", 10, minimum=3)

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
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
LOGIN_REDIRECT_URL = "web:home"
AXES_FAILURE_LIMIT = env_int("LIAISON_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LIAISON_LOCKOUT_MINUTES", 15, minimum=1))
# Locked per account only: a border post shares one connection, and one officer's typos must not
# lock everyone behind it. An address is only slowed down (accounts/throttle.py, settings below).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "liaison.accounts.views.locked_out"
AXES_VERBOSE = False
# After SIGN_IN_THROTTLE_FREE_FAILURES failed sign-ins from one address (within the window, which
# restarts with each failure), every further attempt from it, right or wrong, for any account, is
# answered after a delay that doubles from SIGN_IN_THROTTLE_FIRST_DELAY up to
# SIGN_IN_THROTTLE_MAX_DELAY seconds; never refused. Counted in Django's cache (SIGN_IN_THROTTLE_CACHE):
# the default in-memory cache counts per process, a shared cache (e.g. DatabaseCache) node-wide.
SIGN_IN_THROTTLE_FREE_FAILURES = env_int("LIAISON_THROTTLE_FREE_FAILURES", 10, minimum=1)
SIGN_IN_THROTTLE_WINDOW = timedelta(minutes=env_int("LIAISON_THROTTLE_MINUTES", 15, minimum=1))
SIGN_IN_THROTTLE_FIRST_DELAY = 0.25
SIGN_IN_THROTTLE_MAX_DELAY = 3.0
SIGN_IN_THROTTLE_CACHE = "default"
OTP_TOTP_ISSUER = "Liaison"
API_TOKEN_DEFAULT_DAYS = env_int("LIAISON_API_TOKEN_DAYS", 90, minimum=1)

# --- sessions, cookies and transport security ----------------------------------------------
SESSION_COOKIE_AGE = env_int("LIAISON_SESSION_HOURS", 10, minimum=1) * 3600  # one duty shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_NAME = "__Host-liaison-session" if HTTPS else "liaison-session"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "__Host-liaison-csrf" if HTTPS else "liaison-csrf"
CSRF_FAILURE_VIEW = "liaison.web.views.csrf_failure"
SECURE_SSL_REDIRECT = HTTPS and env_bool("LIAISON_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("LIAISON_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("LIAISON_MAX_BODY_BYTES", 1_048_576, minimum=1024)

# --- languages: Vietnamese first, English, Lao (Django ships no Lao: added here) -------------
django_locale.LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"})
# The node's first language: Vietnamese for Thanh Hoa; a Hua Phan node runs Lao first (LIAISON_LANGUAGE=lo).
LANGUAGE_CODE = env_str("LIAISON_LANGUAGE", "vi")
if LANGUAGE_CODE not in ("vi", "en", "lo"):
    raise ConfigError("LIAISON_LANGUAGE", LANGUAGE_CODE, "vi, en or lo")
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English"), ("lo", "ລາວ")]
LOCALE_PATHS = [SRC_DIR / "locale"]
FORMAT_MODULE_PATH = ["liaison.formats"]
USE_I18N = True
LANGUAGE_COOKIE_NAME = "liaison-lang"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- the public tip line (issue 19): tips per sender address and per number in a window -------
TIP_LIMIT_PER_ADDRESS = env_int("LIAISON_TIP_LIMIT_PER_ADDRESS", 5, minimum=1)
TIP_LIMIT_PER_NUMBER = env_int("LIAISON_TIP_LIMIT_PER_NUMBER", 3, minimum=1)
TIP_WINDOW_SECONDS = env_int("LIAISON_TIP_WINDOW_SECONDS", 3600, minimum=60)

# --- static files: our own and those installed from npm (never committed) --------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    # field reporting (issue 19): Workbox's service-worker modules and window helper, and idb
    ("vendor/workbox", NODE_MODULES / "workbox-sw" / "build"),
    ("vendor/workbox", NODE_MODULES / "workbox-core" / "build"),
    ("vendor/workbox", NODE_MODULES / "workbox-precaching" / "build"),
    ("vendor/workbox", NODE_MODULES / "workbox-routing" / "build"),
    ("vendor/workbox", NODE_MODULES / "workbox-strategies" / "build"),
    ("vendor/workbox", NODE_MODULES / "workbox-window" / "build"),
    ("vendor/idb", NODE_MODULES / "idb" / "build"),
]
# An online tile layer for the map, when the network allows (e.g. an OpenStreetMap tile server);
# empty: the map draws only Liaison's own geography and works on a closed network.
MAP_TILES_URL = env_str("LIAISON_MAP_TILES_URL", "")
WHITENOISE_USE_FINDERS = DEBUG
# collectstatic writes gzip and brotli copies beside each file: slow links get compressed assets.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LIAISON_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
    },
}

# The covering index on Item.exchanged_at lists INCLUDE columns for PostgreSQL; SQLite builds the
# same index without them, which is what we want there (decision 0005).
SILENCED_SYSTEM_CHECKS = ["models.W040"]
# django-axes warns when addresses are not locked: here they must not be (a border post shares one
# connection); accounts/throttle.py slows an address down instead.
SILENCED_SYSTEM_CHECKS += ["axes.W006"]
