"""One settings module, read from environment variables.

Development defaults are safe and need no server: SQLite and a Whoosh index under
``PORTAL_DATA_DIR`` (default ``var/`` in the checkout). ``PORTAL_ENV=production``
switches on the hardened settings; ``DATABASE_URL`` and ``SEARCH_BACKEND`` /
``SEARCH_URL`` move the data to PostgreSQL and a search cluster.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PORTAL_ENV = env("PORTAL_ENV", "development")
PRODUCTION = PORTAL_ENV == "production"

DATA_DIR = Path(env("PORTAL_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Rendered pages, version bodies and comparisons (documents/pagecache.py): on disk,
# shared by the gunicorn workers (a comparison is computed once, not once per worker)
# and bounded in bytes, the least recently stored going first. Django's default
# per-process cache bounds entries, not bytes: twenty large comparisons grew each worker
# by ~14 MB apiece, for good (issue #25). A read that waits on another process's write
# longer than DATABASE_TIMEOUT is a miss, not an error.
# PORTAL_CACHE=memory: Django's per-process LocMemCache instead (the reference the
# memory bench compares with; bounded by entries, not bytes).
PORTAL_CACHE_MB = int(env("PORTAL_CACHE_MB", "512"))
CACHES = {
    "default": {
        "BACKEND": "diskcache.DjangoCache",
        "LOCATION": env("PORTAL_CACHE_DIR", str(DATA_DIR / "cache")),
        "SHARDS": 4,
        "DATABASE_TIMEOUT": 0.25,
        "OPTIONS": {"size_limit": PORTAL_CACHE_MB * 1024 * 1024, "eviction_policy": "least-recently-stored"},
    } if env("PORTAL_CACHE", "disk") != "memory" else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when PORTAL_ENV=production")
    # Development only: a fixed key is harmless on a laptop and keeps sessions across restarts.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = [h.strip() for h in env("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("DJANGO_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
# The ports a Host header may name (portal/hosts.py): Django checks the name only, and
# every other port would key a new copy of each cached page. "*": any (development).
def _base_url_ports(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return ",".join(sorted({str(parts.port or (443 if parts.scheme == "https" else 80)), "80", "443"}))


PORTAL_ALLOWED_PORTS = [p.strip() for p in env(
    "DJANGO_ALLOWED_PORTS", _base_url_ports(env("PORTAL_BASE_URL", "http://127.0.0.1:8000")) if PRODUCTION else "*",
).split(",") if p.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "haystack",
    "axes",
    "documents",
]

MIDDLEWARE = [
    # First, so it wraps every early answer: the rest of an unread body is read before it goes out.
    "portal.middleware.RequestBodyDrainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A Host header naming a port the site does not serve is a 400 before any cache sees it.
    "portal.hosts.HostPortMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    # JSON errors and GET-only under /api/; storage faults as 503 everywhere.
    "portal.middleware.ApiErrorsMiddleware",
    # Last, as django-axes asks: it locks out a username+address after repeated failures.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind reverse proxies every request comes from a proxy's address: with
# PORTAL_TRUSTED_PROXIES=N (the number of proxies in front of the portal, each appending
# to X-Forwarded-For) the client address is the N-th entry from the right of that header,
# which a client cannot forge; 0 (the default) uses the connection's address only.
PORTAL_TRUSTED_PROXIES = int(env("PORTAL_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_ip"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two staff publishing at once must both succeed: wait for the write lock instead
    # of failing with "database is locked", and take it at BEGIN (IMMEDIATE) so a
    # read-then-write transaction cannot deadlock on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL;"}
    # A file, not Django's default in-memory test database: in memory, a second writer
    # fails at once with "table is locked" instead of waiting, so concurrent publishing
    # could not be tested.
    # One file per test run, so two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test_portal_{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Outside production, whitenoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# --- Search -----------------------------------------------------------------
# SEARCH_BACKEND picks haystack's engine: "whoosh" (default, embedded), "xapian"
# (embedded, through the generic haystack path), or a cluster
# ("elasticsearch7", "solr", "opensearch") at SEARCH_URL. The index schema and the
# update path are the same for all of them.
SEARCH_BACKEND = env("SEARCH_BACKEND", "whoosh")
SEARCH_INDEX_NAME = env("SEARCH_INDEX_NAME", "portal_clauses")
_SEARCH_ENGINES = {
    "whoosh": {
        "ENGINE": "documents.search.backend.PortalWhooshEngine",
        "PATH": env("WHOOSH_PATH", str(DATA_DIR / "whoosh_index")),
    },
    # Embedded too: Xapian (C++) via xapian-haystack, `make xapian` installs it.
    "xapian": {
        "ENGINE": "documents.search.xapian_engine.PortalXapianEngine",
        "PATH": env("XAPIAN_PATH", str(DATA_DIR / "xapian_index")),
    },
    "elasticsearch7": {
        "ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine",
        "URL": env("SEARCH_URL", "http://127.0.0.1:9200/"),
        "INDEX_NAME": SEARCH_INDEX_NAME,
    },
    "solr": {
        "ENGINE": "haystack.backends.solr_backend.SolrEngine",
        "URL": env("SEARCH_URL", "http://127.0.0.1:8983/solr/portal"),
    },
    "opensearch": {
        "ENGINE": "haystack_opensearch.backends.OpenSearchSearchEngine",
        "URL": env("SEARCH_URL", "http://127.0.0.1:9200/"),
        "INDEX_NAME": SEARCH_INDEX_NAME,
    },
}
if SEARCH_BACKEND not in _SEARCH_ENGINES:
    raise ImproperlyConfigured(f"SEARCH_BACKEND must be one of {sorted(_SEARCH_ENGINES)}")
HAYSTACK_CONNECTIONS = {"default": _SEARCH_ENGINES[SEARCH_BACKEND]}
# Never hide index errors: the publish transaction must see them and roll back.
HAYSTACK_SILENTLY_FAIL = False
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# --- Uploads -----------------------------------------------------------------
# 2 MB: eight times the largest of the 707 documents in the development corpora (244 KB),
# and what the parser reads in about 2 s; 5 MB took 4.8 s of a worker (issue #25).
PORTAL_UPLOAD_MAX_BYTES = int(env("PORTAL_UPLOAD_MAX_BYTES", str(2 * 1024 * 1024)))
# Django refuses bodies larger than this before the form sees them; keep it above the
# upload limit so an oversized file gets the form's clear message instead of a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = PORTAL_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = PORTAL_UPLOAD_MAX_BYTES + 1024 * 1024
# A draft's text is parsed in a child process that is killed after this many seconds
# (a regular expression cannot be interrupted from inside): the upload is then refused as
# too complex, instead of holding a worker for minutes. 0 parses in-process, unbounded.
PORTAL_PARSE_TIMEOUT = float(env("PORTAL_PARSE_TIMEOUT", "10"))
# Longer texts are refused before parsing (a long legal document has a few thousand lines).
PORTAL_PARSE_MAX_LINES = int(env("PORTAL_PARSE_MAX_LINES", "50000"))

# --- Security ----------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}

# --- Watches, alerts and e-mail (issue 14) --------------------------------------
# One block on purpose: the alerts app, reader sign-in and where e-mail goes.
INSTALLED_APPS += ["documents.alerts"]
LOGIN_REDIRECT_URL = "alerts:watches"
LOGOUT_REDIRECT_URL = "documents:home"
# PORTAL_EMAIL: "smtp" (default in production), "file" (default in development: one
# file per message under PORTAL_DATA_DIR/mail), "console", or a dotted backend path.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email = env("PORTAL_EMAIL", "smtp" if PRODUCTION else "file")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email, _email)
EMAIL_FILE_PATH = env("PORTAL_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "587" if PRODUCTION else "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", PRODUCTION and not env_bool("EMAIL_USE_SSL"))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))  # a hung SMTP server fails the send, which is retried
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Policy portal <portal@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Links in e-mails and feeds are absolute: the address readers reach the portal at.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# After a publish commits, send its alerts from a background thread at once (the
# cron/systemd run of send_alerts picks up anything that thread could not send).
PORTAL_ALERTS_SEND_ON_PUBLISH = env_bool("PORTAL_ALERTS_SEND_ON_PUBLISH", True)
PORTAL_ALERTS_MAX_ATTEMPTS = int(env("PORTAL_ALERTS_MAX_ATTEMPTS", "8"))
PORTAL_CITATIONS_MAX_CHARS = int(env("PORTAL_CITATIONS_MAX_CHARS", "100000"))

# --- PDF downloads (issues 24 and 25) --------------------------------------------
# Made once per version or pair by one background thread per process, kept on disk.
PORTAL_PDF_DIR = env("PORTAL_PDF_DIR", str(DATA_DIR / "pdf"))
PORTAL_PDF_QUEUE = int(env("PORTAL_PDF_QUEUE", "8"))  # jobs waiting or in the making, per process
PORTAL_PDF_PER_CLIENT = int(env("PORTAL_PDF_PER_CLIENT", "2"))  # of those, per client address
PORTAL_PDF_WAIT = float(env("PORTAL_PDF_WAIT", "2"))  # a request waits this long before "Preparing…"
PORTAL_PDF_MAX_CHARS = int(env("PORTAL_PDF_MAX_CHARS", "400000"))  # about 180 pages
