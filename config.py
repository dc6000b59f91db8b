"""Configuration, read from environment variables only.

`create_app()` picks a class by ``SUPERVISE_ENV`` (development, test, production); every value that
differs between machines comes from the environment so that production is selected by variables alone.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SUPERVISE_INSTANCE", BASE_DIR / "instance"))
# Production refuses this key, and any shorter than MIN_SECRET_KEY_BYTES (supervise.create_app).
DEV_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY_BYTES = 32


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str] | None:
    """A comma-separated setting as a list; None when the variable is not set."""
    value = os.environ.get(name)
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def engine_options(url: str, startup: str) -> dict:
    """SQLAlchemy engine options for the database at ``url`` (create_app applies them to the URL in
    use): PostgreSQL connections start with the server options ``startup`` (``DATABASE_OPTIONS``)."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql") and startup:
        options["connect_args"] = {"options": startup}
    return options


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'supervise.sqlite3'}")
    # Default ``-c jit=off``: the platform's queries are short, and PostgreSQL's JIT compiler only adds
    # its compile time to them (137 ms to one statistics query at a million tickets). Set "" behind a
    # pooler that refuses startup options, and turn JIT off on the database instead.
    DATABASE_OPTIONS = os.environ.get("DATABASE_OPTIONS", "-c jit=off")
    # The longest a web request's SQL statement may run on PostgreSQL before it is cancelled and the
    # page answers 503 "try again" (supervise.statement_timeout); 0: no limit. Jobs, commands and
    # migrations are not limited.
    WEB_STATEMENT_TIMEOUT_MS = int(os.environ.get("WEB_STATEMENT_TIMEOUT_MS", 5000))
    # Empty means "no Redis": jobs and the schedule run inside the web process.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Where attachments are kept (supervise.storage): "local" (UPLOAD_DIR, default; one machine or a
    # shared directory) or "s3" (S3-compatible object storage: MinIO, Ceph, a cloud's), shared by every
    # machine. The keys may also come from boto3's own variables (AWS_ACCESS_KEY_ID, ...).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None  # None: AWS itself
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_PREFIX = os.environ.get("S3_PREFIX", "attachments/")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    # /metrics (Prometheus) answers only these addresses or networks (comma separated, e.g.
    # "127.0.0.1,10.0.0.0/8") or a request with "Authorization: Bearer METRICS_TOKEN"; neither set: 404.
    METRICS_ALLOWED_IPS = _list("METRICS_ALLOWED_IPS") or []
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    MAX_CONTENT_LENGTH = 5 * 10 * 1024 * 1024 + 1024 * 1024  # five 10 MB files and the form
    MAX_ATTACHMENT_BYTES = int(os.environ.get("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
    MAX_ATTACHMENTS = 5
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    ZONE_NAME = os.environ.get("ZONE_NAME", "高新技术产业开发区")

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ["zh_CN", "en"]

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # Redis down must not stop filing or logging in: the limits are then counted in each process's
    # memory (Flask-Limiter checks Redis again with backoff and returns to it), and an error of the
    # storage is logged instead of answering 500. A hung Redis costs a request one second, not more.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}  # memory:// ignores them
    # Anonymous public pages are the same for everyone: kept this long, shared through Redis when
    # there is one (every gunicorn worker sees the same copy), else in each process.
    PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", 60))
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "RedisCache" if REDIS_URL else "SimpleCache")
    CACHE_REDIS_URL = REDIS_URL
    # Pages kept by each process without Redis (SimpleCache; its own default, 500, is fewer than the
    # ticket pages a busy hour visits). A page is 10–30 KB.
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", 5000))
    CACHE_KEY_PREFIX = "supervise:"
    RATELIMIT_HEADERS_ENABLED = True
    # Every limit in Flask-Limiter's notation ("10 per minute;50 per hour"), per client address unless
    # said otherwise; the address is the client's own behind TRUSTED_PROXIES reverse proxies.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Per account, whatever the address: many addresses guessing one password are slowed all the same.
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per minute;30 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "20 per hour")
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "20 per minute")
    ALERT_SUBSCRIBE_RATE_LIMIT = os.environ.get("ALERT_SUBSCRIBE_RATE_LIMIT", "5 per minute;20 per hour")  # per address
    OPEN311_POST_RATE_LIMIT = os.environ.get("OPEN311_POST_RATE_LIMIT", "120 per minute")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")  # per token
    # An evaluator's personal link and votes (unit evaluation), per address: no guessing of tokens.
    EVALUATION_RATE_LIMIT = os.environ.get("EVALUATION_RATE_LIMIT", "30 per minute;300 per hour")
    # Reverse proxies in front of the web (nginx, a load balancer): how many X-Forwarded-For hops to
    # trust for the client's address. 0 = clients connect directly.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    # Host names the site answers to (Flask refuses others with 400); comma separated. Unset: any in
    # development, PUBLIC_BASE_URL's host in production (create_app).
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS")

    PASSWORD_HASH_METHOD = "scrypt"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A login lasts at most this long, remembered or not (supervise.auth.sessions); the remember
    # cookie and the signed session cookie expire with it.
    REMEMBER_COOKIE_DAYS = int(os.environ.get("REMEMBER_COOKIE_DAYS", 14))
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_COOKIE_DAYS)
    PERMANENT_SESSION_LIFETIME = REMEMBER_COOKIE_DURATION
    REMEMBER_COOKIE_NAME = "remember_token"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a long complaint form must not expire under the writer

    # Where the site is (scheme, host and the path it is mounted at): every absolute link — feeds,
    # Open311, e-mail, SMS — is built on it (supervise.links), never on the request's Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # The administrators' mailbox page (/ops/mailbox): every message sent, bodies included (one-time
    # codes among them). On by default except in production.
    MAILBOX_ENABLED = _bool("MAILBOX_ENABLED", True)
    # "" = by REDIS_URL: rq with Redis, else a thread in the web process; "eager" runs jobs inline.
    JOBS_MODE = os.environ.get("JOBS_MODE", "")
    # A message handed to the queue and not delivered after this long is handed over again; longer
    # than a job may run (supervise.jobs.JOB_TIMEOUT), so a slow delivery is never handed over twice.
    OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", 600))
    # SMS gateway: "log", "file:/path", or "package.module:ClassName".
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "log")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "supervise@localhost")
    # SMTP when MAIL_SERVER is set; otherwise mail is written to the log (or "file:/path").
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp" if MAIL_SERVER else "log")


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    TRUSTED_HOSTS = None  # the test client's "localhost"; tests of the check set their own
    TRUSTED_PROXIES = 0
    WTF_CSRF_ENABLED = False  # tests that prove CSRF switch it back on
    BABEL_DEFAULT_LOCALE = "en"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    JOBS_MODE = "eager"
    CACHE_TYPE = "NullCache"  # tests read what they just wrote; tests/test_public_cache.py turns it on
    MAIL_BACKEND = "log"
    SMS_BACKEND = "log"


class ProductionConfig(Config):
    # Behind HTTPS (the default): cookies only over HTTPS, and Strict-Transport-Security is sent.
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    MAILBOX_ENABLED = _bool("MAILBOX_ENABLED", False)


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
