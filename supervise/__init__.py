"""supervise — 优化营商环境监督平台."""

import os

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from config import CONFIGS, DEV_SECRET_KEY, INSTANCE_DIR, MIN_SECRET_KEY_BYTES, engine_options


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application; nothing is opened or read before this is called."""
    config_name = config_name or os.environ.get("SUPERVISE_ENV", "development")
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_OPTIONS"]),
    )
    _check_production_secrets(app, config_name)
    _trust_hosts_and_proxies(app, config_name)
    os.makedirs(app.instance_path, exist_ok=True)

    _init_extensions(app)
    from supervise.params import IdConverter

    app.url_map.converters["id"] = IdConverter
    _register_blueprints(app)
    _register_template_helpers(app)
    _connect_domain_subscribers()

    from supervise import commands

    commands.register(app)
    return app


def _connect_domain_subscribers() -> None:
    from supervise.domain import subscribers
    from supervise.jobs import alerts, calendar, delivery, forwarding

    subscribers.connect_all()
    delivery.install_hooks()  # the job layer's: hand new outbox messages over after the commit
    forwarding.install_hooks()  # and new forwards to other zones' platforms
    calendar.install_hooks()  # and each calendar change, to move the open tickets' due dates
    alerts.install_hooks()  # and the fan-out of public e-mail alerts


def _check_production_secrets(app: Flask, config_name: str) -> None:
    """Production does not start with a guessable SECRET_KEY (it signs every session): unset, or
    shorter than MIN_SECRET_KEY_BYTES."""
    if config_name != "production":
        return
    key = app.config["SECRET_KEY"] or ""
    if key == DEV_SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set in production")
    if len(key.encode() if isinstance(key, str) else key) < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production; make one with "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )


def _trust_hosts_and_proxies(app: Flask, config_name: str) -> None:
    """Production answers only its own host names (others get 400: a forged Host header must not
    reach a page or the cache), by default PUBLIC_BASE_URL's; behind ``TRUSTED_PROXIES`` reverse
    proxies the client's address and scheme come from their X-Forwarded-For and -Proto headers."""
    from werkzeug.exceptions import SecurityError

    from supervise.links import host_of, refuse_untrusted_host

    if config_name == "production" and app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = [host_of(app.config["PUBLIC_BASE_URL"])]
    app.register_error_handler(SecurityError, refuse_untrusted_host)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _init_extensions(app: Flask) -> None:
    from supervise.extensions import babel, cache, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from supervise import statement_timeout

    statement_timeout.connect()  # web requests' statements are cut at WEB_STATEMENT_TIMEOUT_MS
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    from supervise.domain import reference

    reference.init_app(app)  # reference data kept per process (categories, units, areas, calendar)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["TIMEZONE"])

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to continue.")

    from supervise import models  # noqa: F401  (register the mappers)
    from supervise.auth import sessions

    login_manager.user_loader(sessions.load_user)


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # jobs and the CLI speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "locale", None) in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    from supervise.admin import bp as admin_bp
    from supervise.api import bp as api_bp
    from supervise.api import openapi as api_openapi
    from supervise.auth import bp as auth_bp
    from supervise.console import bp as console_bp
    from supervise.enterprise import bp as enterprise_bp
    from supervise.errors import register_error_handlers
    from supervise.extensions import csrf
    from supervise.notifications import bp as notifications_bp
    from supervise.open311 import bp as open311_bp
    from supervise.ops import bp as ops_bp
    from supervise.public import bp as public_bp
    from supervise.unit import bp as unit_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(enterprise_bp, url_prefix="/my")
    app.register_blueprint(unit_bp, url_prefix="/unit")
    app.register_blueprint(console_bp, url_prefix="/console")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(ops_bp, url_prefix="/ops")
    # Machine interfaces authenticate each request with a key or token, not a session cookie.
    csrf.exempt(api_bp)
    csrf.exempt(open311_bp)
    api_openapi.init_app(app)  # registers the API blueprint under /api/v1 and builds its document
    app.register_blueprint(open311_bp, url_prefix="/open311/v2")
    register_error_handlers(app)
    from supervise import health

    health.register(app)  # /healthz, /readyz, /metrics: outside the limiter, the CSRF check and the session


def _register_template_helpers(app: Flask) -> None:
    from supervise import headers, templating

    templating.register(app)
    headers.register(app)
