"""Django settings for Baton, read from the environment (see the table in README.md)."""

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from bpm.env import env_bool, env_int, env_json, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
NODE_MODULES = BASE_DIR / "frontend" / "node_modules"

# The test runner sets its own safe values; only a real server must bring a secret key.
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DEBUG", False)

INSECURE_DEV_KEY = "django-insecure-baton-development-key-never-use-in-production"
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY == INSECURE_DEV_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a long random value when DEBUG is off "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = INSECURE_DEV_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Where people reach the site, for links in e-mails (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "processes",
    "metrics",
    "frontend",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bpm.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

AUTHENTICATION_BACKENDS = ["accounts.backends.CapabilityBackend"]

ROOT_URLCONF = "bpm.urls"
WSGI_APPLICATION = "bpm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'baton.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the embedded worker write from several threads: WAL lets
    # readers go on while one writer works, and IMMEDIATE transactions take the write
    # lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file (live servers and browser tests share it across threads), named
    # after the database, so runs with different DATABASE_URLs never share one.
    database = Path(DATABASES["default"]["NAME"])
    test_database = database.with_name(f"{database.stem}-test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(test_database)}
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only needed for collectstatic; WhiteNoise serves from the finders (see below).
STATIC_ROOT = env_str("STATIC_ROOT") or None
STATICFILES_DIRS = [
    BASE_DIR / "frontend" / "static",
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/bpmn-js", NODE_MODULES / "bpmn-js" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders: no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Baton <baton@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Jobs: the database is the queue; Celery (when a broker is configured) or the embedded
# worker thread (when not) is only the doorbell. See docs/architecture.md.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "baton")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 300)
JOB_DEFAULT_RETRIES = env_int("JOB_DEFAULT_RETRIES", 3)
JOB_DISPATCH_INTERVAL_MS = env_int("JOB_DISPATCH_INTERVAL_MS", 500)
JOB_RETRY_BASE_SECONDS = env_int("JOB_RETRY_BASE_SECONDS", 10)
JOB_DISPATCH_BATCH = env_int("JOB_DISPATCH_BATCH", 500)

BPMN_MAX_UPLOAD_BYTES = env_int("BPMN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
BPMN_XSD_DIR = NODE_MODULES / "bpmn-moddle" / "resources" / "bpmn" / "xsd"

# Files attached to tasks: the largest accepted, and the extensions accepted (the stored
# content type is guessed from the extension, never taken from the browser). HTML and SVG
# are left out on purpose: served back from MEDIA_ROOT they could run script.
TASK_ATTACHMENT_MAX_BYTES = env_int("TASK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
TASK_ATTACHMENT_TYPES = env_list(
    "TASK_ATTACHMENT_TYPES",
    ".pdf,.txt,.csv,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,.pptx,.odt,.ods,.odp,.eml,.msg,.zip",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "processes.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "processes.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "processes.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

# The OpenAPI 3 schema (/api/schema/) and its interactive docs (/api/docs/), served without
# any CDN: the Swagger UI files come from the drf-spectacular-sidecar package.
SPECTACULAR_SETTINGS = {
    "TITLE": "Baton BPM API",
    "DESCRIPTION": (
        "Deploy BPMN processes, start and follow instances, work on tasks, run external "
        "tasks, deliver messages and signals, subscribe to events. Authenticate with "
        "`Authorization: Token <key>` (personal or service-account tokens) or a browser "
        "session. Errors always have the shape "
        '`{"error": {"code", "message", "details": [{"field" or "element_id", "message"}]}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "processes.api.schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if TESTING:
    # Tests create many users; the slow, safe hasher adds nothing there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Service tasks: Python handlers by name (BATON_SERVICE_HANDLERS, a JSON object
# {"name": "dotted.path.to.callable"}), and the HTTP connector's default timeout and whether
# it may call private and loopback addresses: off unless DEBUG, so that a deployed model
# cannot reach internal systems unless the operator allows it.
BATON_SERVICE_HANDLERS: dict[str, str] = env_json("BATON_SERVICE_HANDLERS", {})
BATON_HTTP_TIMEOUT_SECONDS = env_int("BATON_HTTP_TIMEOUT_SECONDS", 10)
BATON_HTTP_ALLOW_PRIVATE = env_bool("BATON_HTTP_ALLOW_PRIVATE", DEBUG)

# External tasks: the most tasks one fetch-and-lock hands out (a larger max_tasks is cut to
# it), and how often a long-polling fetch looks again for tasks while it waits.
EXTERNAL_TASK_MAX_TASKS = env_int("EXTERNAL_TASK_MAX_TASKS", 100)
EXTERNAL_TASK_POLL_INTERVAL_MS = env_int("EXTERNAL_TASK_POLL_INTERVAL_MS", 200)

# Webhooks: how long a delivery waits for an answer, how many times a failed one is tried
# again (after 30 s, 2 min, 10 min, 1 h, then every 6 h), after how many deliveries failed
# in a row a subscription pauses, and how long a process trusts its list of who listens
# (a new subscription may miss events of other processes for that long). Whether they may
# go to private addresses is BATON_HTTP_ALLOW_PRIVATE, as for the HTTP connector.
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5)
WEBHOOKS_RETRIES = env_int("WEBHOOKS_RETRIES", 5)
WEBHOOKS_PAUSE_AFTER_FAILURES = env_int("WEBHOOKS_PAUSE_AFTER_FAILURES", 10)
WEBHOOKS_CACHE_SECONDS = env_int("WEBHOOKS_CACHE_SECONDS", 5)

# Control charts and alerts (metrics/). NELSON_RULES changes the thresholds of Nelson's
# eight tests by rule number, as JSON: {"2": {"run": 7}} flags 7 points in a row on one
# side instead of 9, {"4": null} turns rule 4 off. A version with fewer than
# CONTROL_CHART_MIN_POINTS points gets limits but no tests. Every ALERT_CHECK_MINUTES
# (0: never; tests start without, so no test finds the check in the job queue) each
# process is checked for: signals on the charts of the last ALERT_BASELINE_DAYS whose last
# point is at most ALERT_RECENT_DAYS old; fewer than ALERT_SLA_TARGET_PERCENT of the
# instances whose baton:sla deadline fell in those days meeting it; ALERT_OPEN_INCIDENTS
# open incidents or more. A target or threshold of 0 turns its alert off.
NELSON_RULES = env_json("NELSON_RULES", {})
CONTROL_CHART_MIN_POINTS = env_int("CONTROL_CHART_MIN_POINTS", 20)
ALERT_CHECK_MINUTES = env_int("ALERT_CHECK_MINUTES", 0 if TESTING else 15)
ALERT_BASELINE_DAYS = env_int("ALERT_BASELINE_DAYS", 90)
ALERT_RECENT_DAYS = env_int("ALERT_RECENT_DAYS", 7)
ALERT_SLA_TARGET_PERCENT = env_int("ALERT_SLA_TARGET_PERCENT", 95)
ALERT_OPEN_INCIDENTS = env_int("ALERT_OPEN_INCIDENTS", 10)

# Authentication for integrations (accounts/throttling.py). After AUTH_FAILURE_LIMIT failed
# token authentications from one address, or failed log-ins of one username from one
# address, within AUTH_FAILURE_WINDOW_SECONDS, further attempts are refused (429, or a
# message on the login page) until the window ends. API_USER_RATE caps each user's API
# requests ("" for no cap). NUM_PROXIES is how many reverse proxies in front of Baton add
# to X-Forwarded-For (0: the header is ignored, as any client can forge it).
AUTH_FAILURE_LIMIT = env_int("AUTH_FAILURE_LIMIT", 10)
AUTH_FAILURE_WINDOW_SECONDS = env_int("AUTH_FAILURE_WINDOW_SECONDS", 300)
API_USER_RATE = env_str("API_USER_RATE", "1200/minute")
REST_FRAMEWORK["NUM_PROXIES"] = env_int("NUM_PROXIES", 0)
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["accounts.throttling.UserRateThrottle"]
# The counters live in the cache: each process's own memory, unless CACHE_URL (or
# REDIS_URL) names a Redis server that all processes share. Tests use a cache that keeps
# nothing, so that no count leaks from one test into the next; tests of limits switch a
# local-memory cache on.
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, not {CACHE_URL!r}")
# Unknown URLs under /api/ get a JSON 404 in the API's error shape, not the HTML page.
MIDDLEWARE.append("processes.api.middleware.ApiNotFoundMiddleware")
