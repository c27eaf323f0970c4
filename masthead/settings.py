"""Masthead's settings, read from the environment. The README lists every variable."""

import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from masthead.core.allauth_rates import AccountRateLimits

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MASTHEAD_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
HTTPS = SITE_URL.startswith("https://")

# A site served to the world names its hosts; it must then also be given a real secret key.
# On a laptop (no ALLOWED_HOSTS) a key is generated once into the data folder.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if ALLOWED_HOSTS:
        raise ImproperlyConfigured("SECRET_KEY must be set when ALLOWED_HOSTS is set.")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]
CSRF_FAILURE_VIEW = "masthead.core.errors.csrf_failure"

INSTALLED_APPS = [
    "masthead.core",
    "masthead.caching",
    "masthead.images",
    "masthead.navigation",
    "masthead.sections",
    "masthead.articles",
    "masthead.authors",
    "masthead.pages",
    "masthead.jobs",
    "masthead.comments",
    "masthead.newsletter",
    "masthead.syndication",
    "masthead.search",
    "masthead.popularity",
    "masthead.accounts",
    "masthead.demo",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    # After wagtail.admin, whose workflow e-mails it replaces with its own (newsroom/signals.py).
    "masthead.newsroom",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: a body too large is refused before anything reads it.
    "masthead.core.errors.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache: cached answers get the browser policy too.
    "masthead.core.security.SecurityHeadersMiddleware",
    # The 503 page for whatever fails below because the database cannot be reached.
    "masthead.core.middleware.DatabaseDownMiddleware",
    # The 507 page for an upload that the full disk refused.
    "masthead.core.middleware.StorageFullMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "masthead.caching.middleware.PageCacheMiddleware",
    # After the page cache: a cached page is served without looking its site up, and a page
    # being built records the site and settings it shows.
    "masthead.core.middleware.CurrentSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check: a method an address does not take is 405, not 403.
    "masthead.core.methods.OtherMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Readers never reach the admin; staff of a group that must use two-factor set it up first.
    "masthead.accounts.middleware.AdminAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "masthead.syndication.middleware.RemovedPageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'masthead.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,  # seconds a connection waits for another's write (Python's default: 5)
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    REDIS_CACHE = {
        # Django's RedisCache that bypasses a Redis that is down (README, "When parts fail").
        "BACKEND": "masthead.caching.redis_cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "masthead",
    }
    CACHES = {"default": REDIS_CACHE, "purges": REDIS_CACHE}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Each process keeps what it built in its own memory. The purge times that say whether it is
    # still true are files every process of the site on this machine shares (the web server's
    # workers, the task worker), so a change made in any of them reaches all the others.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        "purges": {
            "BACKEND": "masthead.caching.backends.PurgeTimesCache",
            "LOCATION": str(DATA_DIR / "cache" / "purges"),
        },
    }

# The full-page cache (masthead.caching): anonymous GET and HEAD of public pages.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_PURGES_ALIAS = "purges"
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", 24 * 3600))
PAGE_CACHE_STALE_WHILE_REVALIDATE = 60
PAGE_CACHE_STALE_IF_ERROR = 24 * 3600

# Masthead's background work (e-mails, purges and publishing at a set time) waits in the
# database for the worker (`masthead db_worker --backend worker`, started by `make run`);
# TASKS_BACKEND=immediate runs it in the request that asks for it, and nothing later. Wagtail's
# own tasks (search index, references) run in the editor's request, so that a page purged on
# publish is built again from an index that already has the change.
IMMEDIATE_TASKS = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
TASKS = {
    "default": IMMEDIATE_TASKS,
    "worker": IMMEDIATE_TASKS
    if os.environ.get("TASKS_BACKEND") == "immediate"
    else {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# Each worker says it is alive this often; the admin warns when none did for the second figure.
TASKS_WORKER_HEARTBEAT = float(os.environ.get("TASKS_WORKER_HEARTBEAT", 10))
TASKS_WORKER_STALE_AFTER = float(os.environ.get("TASKS_WORKER_STALE_AFTER", 60))

# allauth's backend (by e-mail address, or the admin's user name), which refuses every login
# while the account or the address is locked out.
AUTHENTICATION_BACKENDS = ["masthead.core.logins.ThrottledModelBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "masthead.core.logins.ThrottledLoginForm"
# Staff sign in where readers do (allauth: their password, then their second factor).
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Readers' accounts (masthead.accounts, django-allauth; README, "Readers' accounts").
ACCOUNT_ADAPTER = "masthead.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "homepage"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_FORMS = {
    "login": "masthead.accounts.forms.LoginForm",
    "signup": "masthead.accounts.forms.SignupForm",
    "reset_password": "masthead.accounts.forms.ResetPasswordForm",
}
ACCOUNT_RATE_LIMITS = AccountRateLimits()
ACCOUNT_USER_DISPLAY = "masthead.accounts.profiles.display_name"
MFA_ADAPTER = "masthead.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkeys as a second factor; not as a login of their own, whose button would put allauth's
# inline configuration script on the login page, where the readers' pages carry none.
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = os.environ.get("SITE_NAME", "The Masthead Times")
# Staff marker: a signed-in editor gets fresh pages (masthead.caching); readers get the cache.
EDITOR_COOKIE_NAME = "masthead_editor"
# Tells the page's script that someone is signed in, so that it asks /accounts/me/ who.
SIGNED_IN_COOKIE_NAME = "masthead_signed_in"
# Addresses that are never served from the page cache, whoever asks (masthead.caching).
PAGE_CACHE_PRIVATE_PREFIXES = ("/accounts/", "/admin/", "/_util/", "/comments/", "/newsletter/me/")
# Avatars: the largest upload taken, and the size they are stored at (masthead.accounts).
AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 256
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "masthead.core.logins.ThrottledPasswordResetForm"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Django serves uploaded media itself unless a web server or object storage does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
STORAGES = {
    # Django's file system storage that writes each upload whole or not at all.
    "default": {"BACKEND": "masthead.core.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "masthead.core.storage.MinifiedStaticFilesStorage"
        )
    },
}

if os.environ.get("EMAIL_URL"):
    email = urlsplit(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = email.hostname or "localhost"
    EMAIL_PORT = email.port or 25
    EMAIL_HOST_USER = email.username or ""
    EMAIL_HOST_PASSWORD = email.password or ""
    EMAIL_USE_TLS = email.scheme == "submission"
    EMAIL_USE_SSL = email.scheme == "smtps"
elif os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Masthead <newsroom@localhost>")

if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
# Both bind more than this site (every subdomain; browsers' built-in lists, slow to leave), so
# they are asked for, never implied by an https:// SITE_URL. Preloading needs includeSubDomains.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS") or SECURE_HSTS_PRELOAD
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Wagtail's live preview shows the page in a frame of the admin, on the same origin.
X_FRAME_OPTIONS = "SAMEORIGIN"
# W019: X_FRAME_OPTIONS above; W005 and W021: HSTS's includeSubDomains and preload, by choice.
SILENCED_SYSTEM_CHECKS = ["security.W019", "security.W005", "security.W021"]

# The browser policy of every response (masthead.core.security; README, "Security headers"):
# scripts, styles, fonts and pictures from the site itself, frames only from the players of
# the embed providers in CSP_FRAME_SRC, no plugins, no <base>, framed by the site alone.
CSP_FRAME_SRC = env_list(
    "CSP_FRAME_SRC",
    "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com,"
    "https://w.soundcloud.com,https://open.spotify.com",
)
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'"],
    "frame-src": CSP_FRAME_SRC or ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
}
# Wagtail's admin writes inline scripts and styles of its own, and shows previews and
# uploaded pictures through frames and blob: addresses; still nothing from other origins.
CONTENT_SECURITY_POLICY_ADMIN_PREFIX = "/admin/"
CONTENT_SECURITY_POLICY_ADMIN = {
    **CONTENT_SECURITY_POLICY,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-src": ["'self'", *CSP_FRAME_SRC],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# /.well-known/security.txt: where to report a vulnerability (comma-separated mailto: or
# https: addresses); by default the ADMINS, or else the sender of the site's e-mails.
SECURITY_CONTACT = env_list("SECURITY_CONTACT")

# Request sizes: a form's fields (files apart) and their number, then every request's body,
# refused from its Content-Length before it is read (masthead.core.middleware), 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", 25 * 1024 * 1024))

# Errors: to the console, e-mailed to ADMINS ("Name <address>, ..." or addresses) by Django's
# AdminEmailHandler (its default logging, when DEBUG is off), and to Sentry when SENTRY_DSN is
# set and sentry-sdk is installed.
ADMINS = [parseaddr(item) for item in env_list("ADMINS")]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Masthead] "
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
if os.environ.get("SENTRY_DSN"):
    try:
        import sentry_sdk
    except ImportError:
        sentry_sdk = None
    if sentry_sdk is not None:
        sentry_sdk.init(
            dsn=os.environ["SENTRY_DSN"],
            environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
            send_default_pii=False,
        )

WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "The Masthead Times")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILIMAGES_IMAGE_MODEL = "images.NewsImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Search: the database's own full text (SQLite FTS5 or PostgreSQL) through masthead.search,
# or an OpenSearch/Elasticsearch cluster when SEARCH_URL is set (README, "Search").
if os.environ.get("SEARCH_URL"):
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": os.environ.get("SEARCH_BACKEND", "wagtail.search.backends.opensearch3"),
            "URLS": env_list("SEARCH_URL"),
            "INDEX": os.environ.get("SEARCH_INDEX", "masthead"),
            "TIMEOUT": 5,
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "masthead.search.backend", "SEARCH_CONFIG": "english"}
    }
# Every rate limit of the site (masthead.core.ratelimit.LIMITS; the README's table): "N/S" is
# N in S seconds per client address, "N/S/key" per account or e-mail address typed.
LOGIN_RATE = os.environ.get("LOGIN_RATE", "5/300/key,20/300/ip")
LOGIN_ATTEMPT_RATE = os.environ.get("LOGIN_ATTEMPT_RATE", "30/60")
SIGNUP_RATE = os.environ.get("SIGNUP_RATE", "10/3600")
VERIFY_EMAIL_RATE = os.environ.get("VERIFY_EMAIL_RATE", "1/180/key,10/3600/ip")
ACCOUNT_CHANGE_RATE = os.environ.get("ACCOUNT_CHANGE_RATE", "10/60/user")
PASSWORD_RESET_RATE = os.environ.get("PASSWORD_RESET_RATE", "3/3600/key,10/3600/ip")
PAGE_PASSWORD_RATE = os.environ.get("PAGE_PASSWORD_RATE", "10/300")
SEARCH_LIVE_RATE = os.environ.get("SEARCH_LIVE_RATE", "30/10")
CONTACT_RATE = os.environ.get("CONTACT_RATE", "5/600")
JOBS_SUBMIT_RATE = os.environ.get("JOBS_SUBMIT_RATE", "5/3600")
COMMENT_RATE = os.environ.get("COMMENT_RATE", "10/600")
NEWSLETTER_RATE = os.environ.get("NEWSLETTER_RATE", "3/3600/key,20/3600/ip")
VIEW_COUNT_RATE = os.environ.get("VIEW_COUNT_RATE", "30/60")
# A keyed hash of the address a comment came from (off: nothing of it is kept).
COMMENTS_KEEP_ADDRESS_HASH = os.environ.get("COMMENTS_KEEP_ADDRESS_HASH", "") == "1"
# Hours between two digests of what waits for moderation.
COMMENTS_DIGEST_HOURS = int(os.environ.get("COMMENTS_DIGEST_HOURS", "24"))
# Newsletter sending (README, "Newsletter: editions and sending"): messages per batch (one
# task), SMTP connections a batch is sent over at once, attempts of a delivery refused for a
# while, the first wait.
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "100"))
NEWSLETTER_CONNECTIONS = int(os.environ.get("NEWSLETTER_CONNECTIONS", "4"))
NEWSLETTER_MAX_ATTEMPTS = int(os.environ.get("NEWSLETTER_MAX_ATTEMPTS", "5"))
NEWSLETTER_RETRY_SECONDS = int(os.environ.get("NEWSLETTER_RETRY_SECONDS", "60"))
# The client address every limit counts by (allauth's): REMOTE_ADDR, or, behind proxies, the
# address the last TRUSTED_PROXY_COUNT of them appended to X-Forwarded-For, or the header a CDN
# sets (TRUSTED_CLIENT_IP_HEADER, such as CF-Connecting-IP). README, "Behind a proxy".
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
# The largest logo a job submission may carry.
JOBS_LOGO_MAX_BYTES = 2 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Varnish in front (README, "Front cache (Varnish)"): purged by URL on publish by Wagtail's
# frontend cache, and by content keys by Masthead's page cache.
VARNISH_URL = os.environ.get("VARNISH_URL", "").rstrip("/")
if VARNISH_URL:
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")
    WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": "masthead.caching.frontend.VarnishBackend", "LOCATION": VARNISH_URL}
    }
WAGTAIL_ENABLE_UPDATE_CHECK = False
# How long a share-a-draft link opens the draft (masthead/newsroom/flows.py).
DRAFT_SHARE_DAYS = int(os.environ.get("DRAFT_SHARE_DAYS", "7"))
# No avatars from gravatar.com: the admin asks no other origin, and sends no editor's address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's responsive embeds carry an inline style, which the policy refuses: the stylesheet
# sizes the players instead (.body-embed in site.css).
WAGTAILEMBEDS_RESPONSIVE_HTML = False
TAGGIT_CASE_INSENSITIVE = True
