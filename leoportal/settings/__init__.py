"""Settings for LEO Portal: one module, every value read from the environment (see README, "Configuration")."""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from leoportal.settings import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# A local .env (created by `make install` from .env.example) holds development values; real environment
# variables always win over it, and production deployments have no .env at all.
if (BASE_DIR / ".env").is_file():
    import environ

    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.get_bool("DEBUG", default=False)

SECRET_KEY = env.get_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is false (for local development set DEBUG=true in .env)."
        )
    SECRET_KEY = "django-insecure-local-development-only-7f3c1e9a"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {origin!r}.")
PORT = env.get_int("PORT", 8000, minimum=1, maximum=65535)
SITE_URL = env.get_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

# Measurement and fitting tools (benchmarks, the matching evaluation): installed with DEBUG unless DEVTOOLS says.
DEVTOOLS = env.get_bool("DEVTOOLS", default=DEBUG)

INSTALLED_APPS = [
    "leoportal",
    "projects",
    "partners",
    "webhooks",
    *(["devtools"] if DEVTOOLS else []),
    # The admin site of leoportal/admin_site.py: sign-in through allauth, a second factor for staff.
    "leoportal.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Program staff reach nothing but their account pages until they have passed a second factor.
    "leoportal.domain.second_factor.StaffSecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "leoportal.urls"
WSGI_APPLICATION = "leoportal.wsgi.application"

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
                "leoportal.context_processors.site",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------------------

DATABASES = {"default": env.get_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.get_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "leoportal.backends.cache.RedisCache",  # Django's, reusing its clients
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "leoportal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Uploaded files are private: MEDIA_ROOT has no public URL and files are served only by views that check
# permission.
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT", str(BASE_DIR / "private-media")))
FILE_UPLOAD_MAX_MB = env.get_int("FILE_UPLOAD_MAX_MB", 20, minimum=1, maximum=1024)
# An uploaded PDF is opened in a child process that may take this long and grow by this much memory; a file that
# needs more (a decompression bomb, a damaged file that sends the parser in circles) is refused.
PDF_CHECK_SECONDS = env.get_float("PDF_CHECK_SECONDS", 5.0, minimum=0.5, maximum=300)
PDF_CHECK_MEMORY_MB = env.get_int("PDF_CHECK_MEMORY_MB", 512, minimum=64, maximum=16384)
# A PDF whose streams would expand past this many megabytes when read is refused (a "decompression bomb": a few MB
# of file that a reader would inflate to gigabytes).
PDF_MAX_INFLATED_MB = env.get_int("PDF_MAX_INFLATED_MB", 200, minimum=10, maximum=100000)
# Files one proposal may hold (its narrative and letters of support), and their size together.
PROPOSAL_FILES_MAX = env.get_int("PROPOSAL_FILES_MAX", 20, minimum=1, maximum=1000)
PROPOSAL_FILES_MAX_MB = env.get_int("PROPOSAL_FILES_MAX_MB", 100, minimum=1, maximum=100000)

# --- Proposals ----------------------------------------------------------------------------------------------

# Whether researchers may submit proposals that answer no call (the programme accepts unsolicited proposals).
ALLOW_UNSOLICITED_PROPOSALS = env.get_bool("ALLOW_UNSOLICITED_PROPOSALS", default=True)
# Invitations e-mail an address the sender types: the same address is invited again to the same proposal or
# organisation at the earliest this many minutes later, at most this many times in all, and one person sends at most
# this many invitations (both kinds) in 24 hours (leoportal/domain/invitations.py).
INVITATION_RESEND_MINUTES = env.get_int("INVITATION_RESEND_MINUTES", 10, minimum=0, maximum=24 * 60)
INVITATIONS_PER_ADDRESS = env.get_int("INVITATIONS_PER_ADDRESS", 5, minimum=1, maximum=100)
INVITATIONS_PER_SENDER_PER_DAY = env.get_int("INVITATIONS_PER_SENDER_PER_DAY", 30, minimum=1, maximum=10000)
# How many API requests one token may make in a minute (then 429 with Retry-After).
API_REQUESTS_PER_MINUTE = env.get_int("API_REQUESTS_PER_MINUTE", 120, minimum=1, maximum=100000)
# Webhooks (webhooks/): targets must be public HTTPS addresses; WEBHOOKS_ALLOW_PRIVATE lets development point them at
# this machine or a private network (and at plain http://), and is refused without DEBUG.
WEBHOOKS_ALLOW_PRIVATE = env.get_bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
if WEBHOOKS_ALLOW_PRIVATE and not DEBUG:
    raise ImproperlyConfigured(
        "WEBHOOKS_ALLOW_PRIVATE may be true only when DEBUG is true: it lets webhooks reach this machine and private "
        "networks, which is for development."
    )
# Seconds to connect and to wait for an answer; a delivery is tried this many times, waiting base * 2^(n-1) seconds
# (at most the maximum) after the n-th failure; an endpoint failing this many times in a row is disabled.
WEBHOOKS_TIMEOUT_SECONDS = env.get_float("WEBHOOKS_TIMEOUT_SECONDS", 5.0, minimum=0.5, maximum=30.0)
WEBHOOKS_MAX_ATTEMPTS = env.get_int("WEBHOOKS_MAX_ATTEMPTS", 8, minimum=1, maximum=30)
WEBHOOKS_RETRY_BASE_SECONDS = env.get_int("WEBHOOKS_RETRY_BASE_SECONDS", 60, minimum=1, maximum=3600)
WEBHOOKS_RETRY_MAX_SECONDS = env.get_int("WEBHOOKS_RETRY_MAX_SECONDS", 6 * 3600, minimum=1, maximum=7 * 86400)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.get_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 10, minimum=1, maximum=1000)
# How many endpoints one organisation may register.
WEBHOOKS_PER_ORGANISATION = env.get_int("WEBHOOKS_PER_ORGANISATION", 10, minimum=1, maximum=100)
# How many introductions one researcher may ask program staff for in any 24 hours.
INTRODUCTION_REQUESTS_PER_DAY = env.get_int("INTRODUCTION_REQUESTS_PER_DAY", 5, minimum=1, maximum=1000)
# How long a co-investigator's invitation link stays valid, in days (it also works only once).
PROPOSAL_INVITATION_DAYS = env.get_int("PROPOSAL_INVITATION_DAYS", 7, minimum=1, maximum=90)
# Days a reviewer's invitation to a call's panel stays valid.
REVIEWER_INVITATION_DAYS = env.get_int("REVIEWER_INVITATION_DAYS", 14, minimum=1, maximum=90)

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.get_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
# Of each front-end package, the files the pages use (with the source maps they name): collectstatic leaves out the
# rest of the package (leoportal/backends/staticfiles.py).
VENDOR_FILES = {
    "vendor/bootstrap": {
        "css/bootstrap.min.css",
        "css/bootstrap.min.css.map",
        "js/bootstrap.bundle.min.js",
        "js/bootstrap.bundle.min.js.map",
    },
    "vendor/bootstrap-icons": {
        "bootstrap-icons.min.css",
        "fonts/bootstrap-icons.woff",
        "fonts/bootstrap-icons.woff2",
    },
    "vendor/chart.js": {"chart.umd.min.js", "chart.umd.min.js.map"},
}
STATICFILES_FINDERS = [
    "leoportal.backends.staticfiles.ProjectFilesFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# --- Accounts -----------------------------------------------------------------------------------------------

AUTH_USER_MODEL = "leoportal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset for an address without an account answers like any other and e-mails nobody: the portal does
# not write to addresses that never signed up (anyone could type a stranger's address into the form).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "leoportal.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[LEO Portal] "
ACCOUNT_SESSION_REMEMBER = None
# Failed logins are limited per address and per IP (allauth keeps the counters in the cache: Redis when set), and
# so are the forms that e-mail an address someone types: sign-up and adding an address (a confirmation e-mail to
# that address, at most one every 3 minutes and 5 a day) and password resets (known addresses only, 10 a day).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.get_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "signup": "20/m/ip,200/d/ip",
    "reset_password": "20/m/ip,5/m/key,10/d/key",
    "confirm_email": "1/3m/key,5/d/key",
    "manage_email": "10/m/user,30/d/user",
}

# Second factors (django-allauth MFA): an authenticator app (TOTP), passkeys and security keys (WebAuthn), and
# recovery codes. Program staff must have one (leoportal/domain/second_factor.py); everyone else may add one. Wrong
# codes count towards LOGIN_FAILED_RATE_LIMIT like wrong passwords.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "LEO Portal"
# Also accept the code of the 30-second step before or after the current one (a phone's clock a little off).
MFA_TOTP_TOLERANCE = 1
# Browsers allow passkeys only over HTTPS, except on localhost, which is how `make run` serves the demo.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Every signed-in request reads its session: from Redis when there is one, written through to the database so a
# restarted Redis loses nobody's session. Not from each process's own memory: one would still hold a session that
# was signed out in another.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if REDIS_URL else 'db'}"
SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security -----------------------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto header (only set this when the proxy sets it).
if env.get_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append the client's address to X-Forwarded-For. The per-address limits of sign-in, sign-up
# and password reset count that address; with 0 they count REMOTE_ADDR, which behind a proxy is the proxy's own
# address for every visitor, so 30 sign-ins a minute across the whole site would lock everyone out.
ALLAUTH_TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- E-mail -------------------------------------------------------------------------------------------------

_email = env.get_email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", "")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL", "LEO Portal <noreply@leoportal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Operations", address) for address in env.get_list("ADMINS", [])]

# --- Celery -------------------------------------------------------------------------------------------------

# Without Redis, a broker in memory (named, so kombu does not warn that no host was given).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in-process (still only after the surrounding transaction commits).
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.get_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - max(1, CELERY_TASK_TIME_LIMIT // 10)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died before acknowledging it is delivered again after this long (must exceed the longest task).
CELERY_VISIBILITY_TIMEOUT = env.get_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 4, minimum=1)
# Tasks that meet a passing fault (database, SMTP) retry with exponential backoff, then are recorded as failed.
TASK_MAX_RETRIES = env.get_int("TASK_MAX_RETRIES", 8, minimum=0, maximum=100)
TASK_RETRY_BACKOFF_MAX = env.get_int("TASK_RETRY_BACKOFF_MAX", 600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # When Redis is down, publishing gives up within about a second instead of holding the web request: the
    # rows are saved and the periodic sweeps queue the work again once the broker is back.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TIMEZONE = "UTC"
DIGEST_HOUR_UTC = env.get_int("DIGEST_HOUR_UTC", 7, minimum=0, maximum=23)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "leoportal.heartbeat", "schedule": 60.0},
    # Every outbox (leoportal/domain/outbox.py): what a broker that was down never got, or a dead worker dropped, is
    # queued again (notification e-mails, three kinds of invitation, webhook deliveries with their retries' backoff,
    # scoring and rescoring requests, background jobs); each row is still acted on once.
    "sweep-outboxes": {"task": "leoportal.sweep_outboxes", "schedule": 60.0},
    "daily-digests": {"task": "leoportal.send_daily_digests", "schedule": crontab(hour=DIGEST_HOUR_UTC, minute=0)},
    # Results from an older algorithm or older than the listings they read.
    "nightly-rescore": {"task": "projects.rescore_stale", "schedule": crontab(hour=2, minute=30)},
    "listing-demand": {"task": "projects.refresh_listing_demand", "schedule": 600.0},
    # Panel reviews past their review round's close remind their reviewer, once each.
    "overdue-reviews": {"task": "projects.remind_overdue_reviews", "schedule": 3600.0},
    # Attachment files whose row never committed (a rolled-back upload) are removed after an hour.
    "delete-orphaned-files": {"task": "projects.delete_orphaned_files", "schedule": 3600.0},
    # Teams of unsubmitted proposals are reminded a week and a day before the deadline (each reminder once).
    "deadline-reminders": {"task": "projects.send_deadline_reminders", "schedule": 3600.0},
    # Background jobs' result files past JOB_RESULT_RETENTION_HOURS are deleted.
    "expire-job-results": {"task": "leoportal.expire_job_results", "schedule": 3600.0},
}
# /healthz answers 503 when no worker has sent its heartbeat for longer than this (beat sends one a minute).
WORKER_HEARTBEAT_MAX_AGE = env.get_int("WORKER_HEARTBEAT_MAX_AGE", 180, minimum=60)
# How long the result file of a background job (a large CSV export) stays downloadable, in hours.
JOB_RESULT_RETENTION_HOURS = env.get_int("JOB_RESULT_RETENTION_HOURS", 24, minimum=1, maximum=24 * 30)

# --- Locale -------------------------------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The portal's own words for actions Django and allauth spell otherwise ("Sign in", never "Sign In" or "Log in").
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Crispy forms -------------------------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Providers and the catalogue ---------------------------------------------------------------------------

# An invitation link to join a provider organisation works once and for this many days.
PROVIDER_INVITATION_DAYS = env.get_int("PROVIDER_INVITATION_DAYS", 14, minimum=1, maximum=90)
# Largest capability document an organisation admin may upload in the browser (kilobytes); bigger imports go
# through `manage.py import_capabilities`.
CAPABILITY_UPLOAD_MAX_KB = env.get_int("CAPABILITY_UPLOAD_MAX_KB", 2048, minimum=1, maximum=51200)
# Most listings one uploaded document may hold.
CAPABILITY_UPLOAD_MAX_ENTRIES = env.get_int("CAPABILITY_UPLOAD_MAX_ENTRIES", 500, minimum=1)
# How long an uploaded document waits for its confirmation before it must be uploaded again.
CAPABILITY_UPLOAD_TTL_HOURS = env.get_int("CAPABILITY_UPLOAD_TTL_HOURS", 24, minimum=1)
# A confirmed upload that creates or changes more listings than this is imported by a background worker while the
# browser shows its progress. Importing takes about 40 ms per listing (measured: 500 new listings in 21 s), so 50 is
# about two seconds of a request; 0 sends every import to the background.
CAPABILITY_IMPORT_BACKGROUND_ENTRIES = env.get_int("CAPABILITY_IMPORT_BACKGROUND_ENTRIES", 50, minimum=0)
# Listings per catalogue page.
CATALOGUE_PAGE_SIZE = env.get_int("CATALOGUE_PAGE_SIZE", 20, minimum=1, maximum=200)

# --- Matching -----------------------------------------------------------------------------------------------

# The score's coefficients are fitted (projects/matching/weights.json, written by manage.py fit_matching_weights);
# MATCH_WEIGHT_<PART> overrides one (HARDWARE, TEXT, PROFILE, PRECEDENTS, RESEARCH_AREAS, CONFIRMED, STATUS,
# HERITAGE). Changing one changes the algorithm version stored with each result: the nightly task rescores.
MATCHING_WEIGHTS = {
    name: value
    for name in ("hardware", "text", "profile", "precedents", "research_areas", "confirmed", "status", "heritage")
    if (value := env.get_float(f"MATCH_WEIGHT_{name.upper()}", None, minimum=0, maximum=1000)) is not None
}
MATCH_TOP_N = env.get_int("MATCH_TOP_N", 25, minimum=1, maximum=200)
MATCH_NEAR_MISSES = env.get_int("MATCH_NEAR_MISSES", 5, minimum=0, maximum=50)
# Staff are told of a match scoring at least this (and not "does not fit").
MATCH_STRONG_SCORE = env.get_float("MATCH_STRONG_SCORE", 70.0, minimum=0, maximum=100)
# Proposals scored and stored together (one transaction each) when many are rescored.
SCORING_BATCH_SIZE = env.get_int("SCORING_BATCH_SIZE", 2000, minimum=1, maximum=100_000)

# --- Review desk (the admin) ----------------------------------------------------------------------------------

# A CSV export of at most this many proposals downloads at once; a larger one runs as a background job with a
# progress page (leoportal.domain.jobs).
DESK_EXPORT_INLINE_MAX = env.get_int("DESK_EXPORT_INLINE_MAX", 500, minimum=0, maximum=100000)
# The most proposals one bulk status move may change (all in one transaction, each with its notifications).
DESK_BULK_STATUS_MAX = env.get_int("DESK_BULK_STATUS_MAX", 500, minimum=1, maximum=10000)
# Proposals per page of the admin's proposal list.
DESK_PAGE_SIZE = env.get_int("DESK_PAGE_SIZE", 100, minimum=10, maximum=1000)

# --- Demo ---------------------------------------------------------------------------------------------------

DEMO_PASSWORD = env.get_str("DEMO_PASSWORD", "leoportal-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
