"""Project settings, read from the environment.

One file serves every deployment; the environment decides (see README "Configuration"). App knobs live in
the single `CMS` dict below so that a newcomer finds every tunable in one place.
"""

from __future__ import annotations

from datetime import timedelta

from csp.constants import NONCE, UNSAFE_INLINE

from cms.settings.env import (
    BASE_DIR,
    cache_from_env,
    database_from_env,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
    media_storage_from_url,
    replicas_from_env,
)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or "dev-insecure-change-me-" + "x" * 32
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cms.admin_apps.CmsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prose_editor",  # the rich-text editor's static files (editor/richtext.py)
    "reversion",
    "accounts",
    "locales",
    "schema",
    "revisions",
    "media",
    "blueprints",
    "blocks",
    "django_tasks",
    "django_tasks_db",
    "scheduling",
    "releases",
    "reviews",
    "delivery",
    "editor",
    "webhooks",
    "worker",
    "bundles",
    "wiring",  # last: subscribes the apps to each other's hooks (wiring/connect.py)
    "axes",  # admin login lockout (below)
]

MIDDLEWARE = [
    "cms.api.middleware.BodySizeLimitMiddleware",
    "cms.api.middleware.NulInUrlMiddleware",
    "cms.api.throttling.RateLimitHeadersMiddleware",
    "delivery.ratelimit.DeliveryRateLimitMiddleware",  # opt-in (CMS_DELIVERY_RATE_LIMIT); a no-op when unset
    "django.middleware.security.SecurityMiddleware",
    # Serves the admin's and the API docs' static files from our own process, under runserver and granian
    # alike, with DEBUG off: no CDN, no separate web server needed for a self-hosted install.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.security.AdminCSPMiddleware",
    # Last, as django-axes asks: turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Admin login lockout (django-axes): after CMS_LOGIN_FAILURE_LIMIT failed logins for one user name from one
# address, that pair is locked out for CMS_LOGIN_COOLOFF_MINUTES (others, and that user elsewhere, are not:
# a stranger cannot lock an editor out of their own office). Attempts are kept in the database, so every
# server process sees them. `python manage.py axes_reset` lifts every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("CMS_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = env_int("CMS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CMS_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.security.login_locked_out"
AXES_VERBOSE = False
# Failures only: a row per successful login would grow for ever (Django keeps `last_login` already).
AXES_DISABLE_ACCESS_LOG = True

# Content-Security-Policy of the admin (django-csp, sent by cms.security.AdminCSPMiddleware): no inline
# script or event handler runs, only the admin's and the editor's own static files; no plugins, no <base>
# to redirect relative URLs, forms post only to us. Images, styles and frames are left open (an editor
# previews images from anywhere; they run no code); framing stays X-Frame-Options' DENY.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # The nonce: the rich-text editor's import map is an inline <script type="importmap">.
        "script-src": ["'self'", NONCE],
        # Inline styles: the rich-text editor (Tiptap on ProseMirror) injects its base stylesheet and places
        # its menus with style attributes. Styles run no code; scripts stay locked to our files and the nonce.
        "style-src": ["'self'", UNSAFE_INLINE],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "wiring.wsgi.application"

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

# var/ holds what the service writes at run time: the embedded SQLite database and collected static files.
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {"default": database_from_env(BASE_DIR / "var" / "cms.sqlite3")}
# Read replicas (`DATABASE_REPLICA_URLS`): delivery, sync and management API reads go to one that is up, not
# too far behind and has replayed every write we made; the rest to the primary (cms/replicas.py).
DATABASES.update(replicas_from_env(DATABASES["default"]))
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["cms.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(0, "cms.replicas.ReplicaMiddleware")
# Seconds a Redis connect or reply may take before the cache counts as down (cms/cacheguard.py).
CACHE_TIMEOUT_SECONDS = env_float("CACHE_TIMEOUT", 1.0)
CACHES = {"default": cache_from_env(CACHE_TIMEOUT_SECONDS)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Uploaded media (the `media` app): the local file system under var/media by default, served at MEDIA_URL by
# our own process (media/views.py); set MEDIA_URL to a CDN or another host's address to serve them elsewhere.
# MEDIA_STORAGE_URL=s3://bucket?endpoint_url=…&region=… stores originals and renditions in S3 (or any
# S3-compatible store) instead, for several hosts; their URLs are then the bucket's (docs/media.md "Storage").
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(BASE_DIR / "var" / "media")
MEDIA_URL = env_str("MEDIA_URL") or "/media/"
STORAGES = {
    "default": media_storage_from_url(env_str("MEDIA_STORAGE_URL")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (tests, a quick `runserver`), serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = True

# Django refuses bodies over this before our code sees them; the middleware answers 413 in the envelope.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CMS_MAX_BODY_BYTES", 2 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, whatever `Accept` or `?format=` ask (no browsable HTML, no 406): cms/api/negotiation.py.
    "DEFAULT_RENDERER_CLASSES": ["cms.api.renderers.OrjsonRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cms.api.negotiation.JSONOnlyNegotiation",
    "DEFAULT_PARSER_CLASSES": ["cms.api.parsers.StrictJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cms.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CMS API",
    # The guides ship in the repository (docs/, served by `make docs`); the document points readers to them.
    "DESCRIPTION": (
        "Headless CMS: site blocks (global and page), schemas, publishing, locales, revisions. Guides, in the "
        "repository's docs/ folder (`make docs` serves them at http://127.0.0.1:8001): docs/index.md (quickstart), "
        "docs/fields.md (the 17 field types: options, limits, errors), docs/management-api.md (tokens, roles, "
        "If-Match, rate limits, every error code), docs/delivery-api.md, docs/webhooks.md, docs/operations.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets are both called `status` (a block's draft/published, a translation's complete/partial/
    # missing): each gets a name of its own rather than a hash.
    "ENUM_NAME_OVERRIDES": {
        "BlockStatusEnum": "blocks.models.BlockStatus",
        "TranslationStatusEnum": ["complete", "partial", "missing"],
    },
    # cms.api.openapi: canonical paths; errors, rate-limit headers and generic bodies on every operation.
    "PREPROCESSING_HOOKS": ["cms.api.openapi.preprocess"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "cms.api.openapi.postprocess"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

# Every app knob, with its default. Read through `cms.conf.cms_setting(name)`.
CMS = {
    "MAX_BODY_BYTES": DATA_UPLOAD_MAX_MEMORY_SIZE,
    "PAGE_SIZE": 15,
    "MAX_PAGE_SIZE": 100,
    "RATE_LIMIT_READS_PER_MINUTE": env_int("CMS_RATE_LIMIT_READS", 120),
    "RATE_LIMIT_WRITES_PER_MINUTE": env_int("CMS_RATE_LIMIT_WRITES", 30),
    "RATE_LIMIT_WINDOW_SECONDS": 60,
    "MAX_ACTIVE_TOKENS_PER_USER_AND_SITE": 5,
    "REVISIONS_KEEP_PER_BLOCK": env_int("CMS_REVISIONS_KEEP", 0),  # 0 keeps all
    "DELIVERY_MAX_AGE": env_int("CMS_DELIVERY_MAX_AGE", 60),
    "DELIVERY_STALE_WHILE_REVALIDATE": env_int("CMS_DELIVERY_SWR", 300),
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": env_bool("CMS_WEBHOOKS_ALLOW_PRIVATE", False),
    "WEBHOOKS_MAX_ATTEMPTS": env_int("CMS_WEBHOOKS_MAX_ATTEMPTS", 6),  # first try + retries
    "WEBHOOKS_BACKOFF_SECONDS": env_int("CMS_WEBHOOKS_BACKOFF", 30),  # then doubled per retry
    "WEBHOOKS_TIMEOUT_SECONDS": env_int("CMS_WEBHOOKS_TIMEOUT", 10),
    # Machine pre-translation (blocks/machine_translation.py): one provider request's whole time limit.
    "MACHINE_TRANSLATION_TIMEOUT_SECONDS": env_int("CMS_MACHINE_TRANSLATION_TIMEOUT", 20),
    # Task worker (worker/, `manage.py run_worker`): a worker silent this long is taken for dead and its
    # running tasks run again; a task whose worker died this many times is failed instead (docs/decisions.md).
    "WORKER_HEARTBEAT_TIMEOUT_SECONDS": env_int("CMS_WORKER_HEARTBEAT_TIMEOUT", 30),
    "WORKER_MAX_TASK_RUNS": env_int("CMS_WORKER_MAX_TASK_RUNS", 5),
    # Delivery API (delivery/): server-side cache of rendered answers; see docs/decisions.md.
    "DELIVERY_CACHE_SECONDS": env_int("CMS_DELIVERY_CACHE_SECONDS", 3600),
    "DELIVERY_SITE_CACHE_SECONDS": 300,
    "DELIVERY_TOKEN_CACHE_SECONDS": env_int("CMS_DELIVERY_TOKEN_CACHE_SECONDS", 30),
    # Signed preview tokens (accounts/preview.py): how long one lives by default, and at most.
    "PREVIEW_TOKEN_SECONDS": env_int("CMS_PREVIEW_TOKEN_SECONDS", 3600),
    "PREVIEW_TOKEN_MAX_SECONDS": env_int("CMS_PREVIEW_TOKEN_MAX_SECONDS", 24 * 3600),
    "DELIVERY_LOCAL_ENTRIES": env_int("CMS_DELIVERY_LOCAL_ENTRIES", 2048),
    "DELIVERY_LOCAL_BYTES": env_int("CMS_DELIVERY_LOCAL_BYTES", 64 * 1024 * 1024),
    "DELIVERY_GZIP_MIN_BYTES": 1024,
    # Opt-in limit per client address on the delivery API, counted in the shared cache (delivery/ratelimit.py):
    # `600/minute`, `20/second`, `50/10second`; unset or `off`: none.
    "DELIVERY_RATE_LIMIT": env_rate("CMS_DELIVERY_RATE_LIMIT"),
    # Proxies (load balancers, a CDN) whose X-Forwarded-For is believed for the client's address
    # (cms/clientaddr.py): addresses or networks, e.g. `10.0.0.0/8,127.0.0.1`. Empty: the peer is the client.
    "TRUSTED_PROXIES": env_networks("CMS_TRUSTED_PROXIES"),
    # Keep site facts, generations and token rights in process, invalidated by Redis client tracking
    # (cms/nearcache.py); off: one Redis round trip per delivery read.
    "DELIVERY_NEAR_CACHE": env_bool("CMS_DELIVERY_NEAR_CACHE", True),
    # On PostgreSQL a delivery miss reads its stored answer with a statement prepared once per connection
    # (delivery/rendered.py). Off: an unnamed statement each time, for PgBouncer before 1.21 in transaction
    # pooling (or 1.21+ without `max_prepared_statements`), where a named statement may be on another session.
    "DELIVERY_PREPARED_STATEMENTS": env_bool("CMS_DELIVERY_PREPARED_STATEMENTS", True),
    # The sync feed (/api/v1/delivery/{site}/sync): tombstones (unpublished, deleted) are kept this many days
    # (`manage.py prune_sync_log`); a cursor older than the oldest pruned one must start a full sync again.
    "SYNC_TOMBSTONE_DAYS": env_int("CMS_SYNC_TOMBSTONE_DAYS", 30),
    "SYNC_PAGE_SIZE": 100,
    # A CDN in front of the delivery API (delivery/cdn.py, docs/operations.md "CDN"): answers carry
    # Surrogate-Key and Cache-Tag; after every change the keys it made stale are purged through this purger
    # (none, varnish, fastly, cloudflare); a failed purge is retried by the worker.
    "CDN_PURGER": env_str("CMS_CDN_PURGER", "none"),
    "CDN_KEY_PREFIX": env_str("CMS_CDN_KEY_PREFIX", "cms"),
    "CDN_PURGE_URLS": env_str("CMS_CDN_PURGE_URLS", ""),  # varnish: comma list, one per Varnish
    "CDN_PURGE_TIMEOUT_SECONDS": env_float("CMS_CDN_PURGE_TIMEOUT", 2.0),
    "CDN_PURGE_ATTEMPTS": env_int("CMS_CDN_PURGE_ATTEMPTS", 8),
    "CDN_FASTLY_SERVICE_ID": env_str("CMS_CDN_FASTLY_SERVICE_ID", ""),
    "CDN_FASTLY_API_KEY": env_str("CMS_CDN_FASTLY_API_KEY", ""),
    "CDN_FASTLY_API_URL": env_str("CMS_CDN_FASTLY_API_URL", "https://api.fastly.com"),
    "CDN_FASTLY_SOFT_PURGE": env_bool("CMS_CDN_FASTLY_SOFT_PURGE", False),
    "CDN_CLOUDFLARE_ZONE_ID": env_str("CMS_CDN_CLOUDFLARE_ZONE_ID", ""),
    "CDN_CLOUDFLARE_API_TOKEN": env_str("CMS_CDN_CLOUDFLARE_API_TOKEN", ""),
    "CDN_CLOUDFLARE_API_URL": env_str("CMS_CDN_CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"),
    # An unreachable cache (cms/cacheguard.py): connect/reply timeout, and how often it is probed once down.
    "CACHE_TIMEOUT_SECONDS": CACHE_TIMEOUT_SECONDS,
    "CACHE_RETRY_SECONDS": env_float("CMS_CACHE_RETRY_SECONDS", 1.0),
    # Read replicas (cms/replicas.py): one further behind than this is not read from; how often each process
    # asks a replica how far behind it is.
    "REPLICA_MAX_LAG_SECONDS": env_float("DATABASE_REPLICA_MAX_LAG_SECONDS", 5.0),
    "REPLICA_CHECK_SECONDS": env_float("DATABASE_REPLICA_CHECK_SECONDS", 1.0),
    "DATA_SOURCE_MAX_DEPTH": 3,
    "DATA_SOURCE_MAX_CALLS": 20,
    "BENCH_BASELINE": env_bool("CMS_BENCH_BASELINE", False),
    # Media library (media/): one upload, one site's library, one image's pixels (decompression bombs).
    "MEDIA_MAX_UPLOAD_BYTES": env_int("CMS_MEDIA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
    "MEDIA_QUOTA_BYTES": env_int("CMS_MEDIA_QUOTA_BYTES", 1024 * 1024 * 1024),
    "MEDIA_QUOTA_FILES": env_int("CMS_MEDIA_QUOTA_FILES", 10_000),
    "MEDIA_MAX_IMAGE_PIXELS": env_int("CMS_MEDIA_MAX_IMAGE_PIXELS", 50_000_000),
    "MEDIA_SERVE": env_bool("CMS_MEDIA_SERVE", True),
    # POSTs to these paths (regexes) may be as large as an upload in base64 (plus the form's own bytes).
    "UPLOAD_PATHS": (r"/api/v1/assets/?", r"/api/v1/assets/[^/]+/file/?", r"/api/v1/site/import/?"),
}

# The task queue (django-tasks): the database backend runs on SQLite and PostgreSQL with no extra service;
# `manage.py run_worker` (worker/, around django-tasks-db's worker) performs the tasks (scheduled publishing,
# webhook deliveries). See README "Worker".
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
