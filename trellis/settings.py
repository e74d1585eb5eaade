"""Trellis settings: one file, every deploy-time value from the environment.

TRELLIS_ENV selects the profile: ``dev`` (default), ``test`` or ``prod``. Development and tests get safe
defaults; production refuses to start without its secrets and names the variable that is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("TRELLIS_ENV", "dev")
if ENV not in {"dev", "test", "prod"}:
    raise ImproperlyConfigured(f"TRELLIS_ENV must be dev, test or prod, not {ENV!r}")
PROD = ENV == "prod"
TESTING = ENV == "test"


def env(name: str, default: str | None = None) -> str:
    """A setting from the environment; in production a missing one without a default stops start-up."""
    value = os.environ.get(name)
    if value:
        return value
    if default is None:
        raise ImproperlyConfigured(f"Trellis cannot start in production: set the environment variable {name}.")
    return default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("SECRET_KEY", None if PROD else "dev-only-insecure-key-" + "x" * 40)
DEBUG = env_bool("DEBUG", ENV == "dev")
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", None if PROD else "127.0.0.1,localhost,testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Key-encryption keys for the vault (DESIGN §5): comma-separated url-safe base64 32-byte keys, active first.
# Or TRELLIS_VAULT_KEY_FILE names a file with one key per line (e.g. a mounted secret) — one of the two.
# The development default decodes to "dev-only-vault-key-not-for-prod!" (a deploy check refuses it).
TRELLIS_VAULT_KEY_FILE = os.environ.get("TRELLIS_VAULT_KEY_FILE", "")
TRELLIS_VAULT_KEYS = env(
    "TRELLIS_VAULT_KEYS",
    "" if TRELLIS_VAULT_KEY_FILE else None if PROD else "ZGV2LW9ubHktdmF1bHQta2V5LW5vdC1mb3ItcHJvZCE=",
)
TRELLIS_DEMO = env_bool("TRELLIS_DEMO", False)
TRELLIS_RECOMMEND_RATE = os.environ.get("TRELLIS_RECOMMEND_RATE", "60/m")  # public chooser API, per address
# How many proxies in front of the app set X-Forwarded-For; unset: the client address is REMOTE_ADDR.
NINJA_NUM_PROXIES = int(os.environ["TRELLIS_NUM_PROXIES"]) if os.environ.get("TRELLIS_NUM_PROXIES") else None
TRELLIS_BASE_URL = os.environ.get("TRELLIS_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",  # the platform admin: trellis/admin_site.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "ninja",
    "axes",
    "django_tasks_db",
    "trellis.core",
    "trellis.coaching",
    "trellis.choosing",
    "trellis.content",
    "trellis.training",
    "trellis.mentoring",
]
if TESTING:  # a tests-only model using the vault's SealedTextField
    INSTALLED_APPS.append("tests.vaultapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trellis.core.middleware.refresh_session",
    "trellis.core.middleware.no_store_for_confidential_pages",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trellis.urls"
WSGI_APPLICATION = "trellis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trellis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.core.context_processors.shell",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------------------
# SQLite (embedded default) in WAL mode with full sync and IMMEDIATE transactions, so writers queue on the
# busy timeout instead of failing with "database is locked". PostgreSQL through DATABASE_URL.
SQLITE_PATH = Path(os.environ.get("TRELLIS_SQLITE_PATH", BASE_DIR / "var" / "trellis.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "CONN_MAX_AGE": None,  # keep the connection: opening one (and its PRAGMAs) per request is costly
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": ":memory:"} if TESTING else {},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "trellis.core.backends.MemberBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # tests create hundreds of users; argon2 is for real passwords
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires after this many seconds without a request. The expiry is pushed forward
# at most once a minute (trellis.core.middleware.refresh_session), not written on every request.
SESSION_COOKIE_AGE = int(os.environ.get("TRELLIS_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_REFRESH_SECONDS = 60
SESSION_ENGINE = "trellis.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): lock an e-mail + address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("TRELLIS_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "trellis.core.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("TRELLIS_LOGIN_THROTTLE", True)

# --- Security -------------------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False
if PROD:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Mail, tasks, files ---------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trellis <no-reply@trellis.example>")
if os.environ.get("EMAIL_URL"):  # smtp://user:password@host:port
    _mail = dj_database_url.parse(os.environ["EMAIL_URL"].replace("smtp://", "postgres://", 1))
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _mail["HOST"],
                "port": int(_mail["PORT"] or 587),
                "username": _mail["USER"],
                "password": _mail["PASSWORD"],
                "use_tls": True,
                "timeout": 20,
            },
        }
    }
elif PROD:  # without EMAIL_URL, hand mail to the machine's own MTA
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25, "timeout": 20},
        }
    }
elif TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:  # development and the demo: messages are written to var/mail (and kept in the outbox)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(BASE_DIR / "var" / "mail")},
        }
    }

TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "trellis" / "static"]
# Uploaded files (coaching credential evidence). Never served as static/media URLs: only through views with a rule.
MEDIA_ROOT = Path(os.environ.get("TRELLIS_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PROD
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PROD
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    # Request bodies never reach the logs: django.request logs only the path and status.
    "loggers": {"axes": {"level": "WARNING"}},
}
