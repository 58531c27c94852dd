"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from advocacy import db
from advocacy.resources import resource_path
from advocacy.settings import Settings, database_url, load_settings


def create_app(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> Flask:
    """Build the web app from settings (validated here; a bad one stops start-up)."""
    settings = settings or load_settings(environ, overrides)
    app = Flask(
        "advocacy",
        template_folder=str(resource_path("templates")),
        static_folder=str(resource_path("static")),
        instance_path=None,
    )
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app.config.update(
        ADVOCACY=settings,
        SECRET_KEY=settings.secret_key,
        TESTING=settings.env == "test",
        SESSION_COOKIE_NAME="advocacy_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which has its own limits
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_DEFAULT_LOCALE=settings.default_language,
        BABEL_DEFAULT_TIMEZONE=settings.default_timezone,
    )
    if settings.trusted_proxies:
        # Only the client address is taken from the proxies: links and the cookie's Secure flag
        # already follow ADVOCACY_BASE_URL, whatever Host or scheme a proxy forwards.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    db.init_app(app, db.build_engine(database_url(settings)))

    from advocacy.api import init_api
    from advocacy.web import init_web

    init_web(app, settings)
    init_api(app)

    from advocacy.cli import register_commands

    register_commands(app)
    return app
