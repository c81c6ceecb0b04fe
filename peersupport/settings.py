"""Settings for every environment, read from the environment in one place.

Development defaults are safe only with DEBUG on; with DEBUG off the service refuses to start
unless the production values it needs are set. See README.md for the variables.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from peersupport.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = Path(env_str("RUN_DIR", str(BASE_DIR / ".run")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the service will not start without it: "
            "set SECRET_KEY to a long random value (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-never-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SERVICE_NAME = "Peer support after serious incidents"
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

INSTALLED_APPS = [
    "peersupport.admin_apps.WallAdminConfig",  # django.contrib.admin, behind the wall
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "csp",
    "simple_history",
    "peersupport.apps.PeersupportConfig",
    "incidents.apps.IncidentsConfig",
    "supporters.apps.SupportersConfig",
    "feedback.apps.FeedbackConfig",
    "peersupport.dashboard.apps.DashboardConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peersupport.audit.RefusedAccessMiddleware",  # audits every 403/404 to a logged-in user
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "peersupport.middleware.SessionTimeoutMiddleware",
    "peersupport.middleware.MFARequiredMiddleware",
    "peersupport.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "peersupport.urls"
WSGI_APPLICATION = "peersupport.wsgi.application"

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
                "peersupport.context_processors.service",
            ],
        },
    },
]

# Database: SQLite by default so `make run` needs no server; PostgreSQL through DATABASE_URL.
RUN_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{RUN_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web app and the Celery worker share one file: WAL lets readers and a writer work
    # at once, IMMEDIATE takes the write lock up front, and the timeout waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation off for every connection: the service's queries are short and priced
    # from estimates, and compiling them cost more than running them (a person's access check
    # at 100,000 reviews: 518 ms with JIT, 47 ms without). See docs/adr/0012.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# PostgreSQL only: the service's own role, granted its privileges by `migrate` (run as the
# tables' owner); see peersupport.db_roles. Unset: no grants are made.
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "peersupport.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email login, invited accounts only (see peersupport.accounts.AccountAdapter).
ACCOUNT_ADAPTER = "peersupport.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# A password reset never logs in: the next login still asks for the authenticator code.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# allauth's limits, written out so a reviewer sees them; counted in the cache (CACHE_URL, so
# every web process shares the counts). "key" is the email address being tried; five wrong
# passwords or authenticator codes lock that account's logins for LOGIN_LOCKOUT_MINUTES.
LOGIN_LOCKOUT_MINUTES = 5
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": f"10/m/ip,5/{LOGIN_LOCKOUT_MINUTES}m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME
# Everyone who logs in must set up an authenticator app (peersupport.middleware). Only a local
# demonstration (DEBUG on) may switch it off; `make run` does by default.
MFA_REQUIRED = env_bool("MFA_REQUIRED", not (DEBUG and DEMO_MODE))
if not MFA_REQUIRED and not DEBUG:
    raise ImproperlyConfigured(
        "MFA_REQUIRED=false is only allowed with DEBUG on, for a local demonstration. "
        "With DEBUG off everyone who logs in must use two-factor authentication: "
        "remove MFA_REQUIRED or set it to true."
    )

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(RUN_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

_cache_url = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Email: the console in development; SMTP (or a Notify-backed backend) from the environment.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Peer support service <peer.support@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages through GOV.UK Notify, off unless switched on: SMS_PROVIDER=notify with an API
# key and the id of a Notify template whose body is ((body)). "record" keeps them in memory.
SMS_PROVIDER = env_str("SMS_PROVIDER", "")
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", "")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_TIMEOUT = env_int("NOTIFY_TIMEOUT", 10)
if SMS_PROVIDER not in ("", "notify", "record"):
    raise ImproperlyConfigured("SMS_PROVIDER must be empty, 'notify' or 'record'.")
if SMS_PROVIDER == "notify" and not (NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID):
    raise ImproperlyConfigured(
        "SMS_PROVIDER=notify needs NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID."
    )

# The outbox (peersupport.outbox): a worker's lease on the rows it claimed, which it renews
# while it works (a row whose lease ran out belongs to a dead worker and is sent again), and
# the first retry delay (doubling on each attempt). One send must end well inside the lease,
# or a worker still sending could see its row taken back and sent twice.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 60)
if 2 * max(EMAIL_TIMEOUT, NOTIFY_TIMEOUT) > OUTBOX_LEASE_SECONDS:
    raise ImproperlyConfigured(
        "OUTBOX_LEASE_SECONDS must be at least twice EMAIL_TIMEOUT and NOTIFY_TIMEOUT."
    )
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RECORD_FILE = env_str("OUTBOX_RECORD_FILE", str(RUN_DIR / "recorded-messages.log"))
OUTBOX_RECORD_FAIL_FILE = env_str("OUTBOX_RECORD_FAIL_FILE", "")

# The restore ledger (peersupport.restore_ledger, docs/adr/0011-backup-and-restore.md): an
# append-only record, outside the database, of the anonymisations and sent messages a restore
# from an older backup must not undo. Ids, kinds and times only. Keep it on other storage than
# the database's.
RESTORE_LEDGER_DIR = Path(env_str("RESTORE_LEDGER_DIR", str(RUN_DIR / "ledger")))
# Days each nightly backup is kept (the `backup` service prunes older dumps); the ledger keeps
# its entries as long, so any backup still held can be brought up to date.
BACKUP_KEEP_DAYS = env_int("BACKUP_KEEP_DAYS", 35)

# Celery: kombu's filesystem broker by default so development needs no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = RUN_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# Security headers. The CSP forbids inline script and style so every page is born compliant.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages hand the token to scripts in the markup, never the cookie
SESSION_COOKIE_AGE = 12 * 60 * 60
# peersupport.middleware.SessionTimeoutMiddleware: logged out after 30 minutes without a
# request, and 12 hours after logging in whatever happens; the page warns 2 minutes ahead.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = SESSION_COOKIE_AGE
SESSION_WARNING_SECONDS = 2 * 60
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# peersupport.dashboard.suppression, for every figure a manager sees (NHS Digital's rule for
# published statistics): counts from 1 to SUPPRESS_COUNTS_UP_TO withheld, the rest rounded to the
# nearest SUPPRESS_ROUND_TO.
SUPPRESS_COUNTS_UP_TO = env_int("SUPPRESS_COUNTS_UP_TO", 7)
SUPPRESS_ROUND_TO = env_int("SUPPRESS_ROUND_TO", 5)
if SUPPRESS_COUNTS_UP_TO < 0 or SUPPRESS_ROUND_TO < 1:
    raise ImproperlyConfigured(
        "SUPPRESS_COUNTS_UP_TO must be 0 or more, SUPPRESS_ROUND_TO 1 or more"
    )
# allauth's rate limits count by the same client address the audit log records.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Secret link tokens are redacted from paths (feedback/logging.py): by every handler, and by
# the loggers that write request paths, so handlers added elsewhere never see a token either.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "feedback.logging.RedactTokens"},
        # An exception's own text may quote personal data: logged without it.
        "redact_exceptions": {"()": "peersupport.log_filters.RedactExceptionText"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens", "redact_exceptions"],
        },
        # Django's own request-line handler for runserver, as it ships, plus the filter.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["redact_tokens", "redact_exceptions"]},
        "django.security.csrf": {"filters": ["redact_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
    },
}

# Demo data: a documented default password exists only while DEBUG is on.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "peer-support-demo" if DEBUG else None)

CELERY_BEAT_SCHEDULE = {
    # The supporters' survey (feedback.tasks): 09:00 on the 1st of January, April, July, October.
    "send-supporter-surveys": {
        "task": "feedback.tasks.send_supporter_surveys",
        "schedule": crontab(minute=0, hour=9, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "heartbeat": {"task": "peersupport.tasks.heartbeat", "schedule": 60.0},
    # The dashboard's stored figures: open months and those a change moved, every 4 minutes;
    # every month at 02:30, when the waits of people still waiting move on a day.
    "refresh-measures": {"task": "peersupport.tasks.refresh_measures", "schedule": 4 * 60.0},
    "recount-measures": {
        "task": "peersupport.tasks.recount_measures",
        "schedule": crontab(minute=30, hour=2),
    },
    # Records past their retention period are anonymised (peersupport.privacy), once a day.
    "apply-retention": {"task": "peersupport.tasks.apply_retention", "schedule": 24 * 60 * 60.0},
    # The outbox's sweep: a message due later leaves within this many seconds of its time
    # (one due now is also queued on commit). A sweep still queued when the next is due is
    # dropped rather than piling up behind a long one.
    "send-due-messages": {
        "task": "peersupport.tasks.send_due_messages",
        "schedule": float(env_int("OUTBOX_SWEEP_SECONDS", 5)),
        "options": {"expires": float(env_int("OUTBOX_SWEEP_SECONDS", 5))},
    },
}
