"""The staff web interface and the public endpoints, wired into the app."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter

from advocacy.adapters import oidc
from advocacy.domain.testimonials import plain_quote
from advocacy.http import security, validation
from advocacy.http.extensions import babel, csrf, limiter
from advocacy.settings import LANGUAGES, Settings
from advocacy.web import errors
from advocacy.web.client import advocacy as client_advocacy
from advocacy.web.client import mail, pages, surveys
from advocacy.web.client import testimonials as testimonial_client
from advocacy.web.forms.common import ROLE_CHOICES
from advocacy.web.public import health, wall, webhooks
from advocacy.web.staff import (
    account_page,
    account_surveys,
    account_team,
    accounts,
    admin,
    auth,
    calendar,
    campaign_reports,
    campaign_steps,
    campaigns,
    catalogue,
    check_ins,
    collections,
    contacts,
    content,
    engagements,
    home,
    imports,
    library,
    mail_admin,
    references,
    referrals,
    testimonials,
    typecasting,
)


def _locale() -> str:
    user = security.current_user()
    if user is not None and user.language in LANGUAGES:
        return user.language
    return request.accept_languages.best_match(LANGUAGES) or _default_language()


def _default_language() -> str:
    from flask import current_app

    return current_app.config["ADVOCACY"].default_language


def _timezone() -> str | None:
    user = security.current_user()
    return user.timezone if user is not None and user.timezone else None


def _role_label(role: str) -> str:
    return str(next((c.label for c in ROLE_CHOICES if c.value == role), role))


class IdConverter(IntegerConverter):
    """A row id in a URL: bounded so a huge number is a 404, not a database overflow."""

    # 1 to 2**31 - 1 in the pattern itself: werkzeug checks a converter's range only after it has
    # compared methods, so a range check alone turns PATCH /accounts/99999999999 into a 405.
    regex = (
        r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
        r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


def init_web(app: Flask, settings: Settings) -> None:
    """Bind extensions and blueprints. The access policy runs before CSRF checks on purpose:
    an anonymous POST is sent to sign-in rather than told its form expired."""
    app.url_map.converters["id"] = IdConverter
    security.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_locale,
        timezone_selector=_timezone,
        default_translation_directories="translations",
    )
    limiter.init_app(app)
    oidc.init_app(app, settings)
    for blueprint in (
        auth.bp,
        home.bp,
        admin.bp,
        health.bp,
        accounts.bp,
        account_page.bp,
        account_team.bp,
        contacts.bp,
        engagements.bp,
        check_ins.bp,
        catalogue.bp,
        imports.bp,
        mail_admin.bp,
        mail.bp,
        pages.bp,
        surveys.bp,
        account_surveys.bp,
        client_advocacy.bp,
        referrals.bp,
        references.bp,
        testimonial_client.bp,
        testimonials.bp,
        library.bp,
        collections.bp,
        content.bp,
        campaigns.bp,
        campaign_steps.bp,
        campaign_reports.bp,
        webhooks.bp,
        calendar.bp,
        typecasting.bp,
        wall.bp,
    ):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    app.jinja_env.globals["role_label"] = _role_label
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["translate_rule"] = validation.translate_rule
    app.jinja_env.filters["stored_text"] = validation.stored_text
    app.jinja_env.filters["plain_quote"] = plain_quote  # list excerpts: no Markdown marks
    # Only what pages show: the settings object itself holds secrets.
    app.jinja_env.globals["ui"] = {
        "firm_name": settings.firm_name,
        "oidc_enabled": settings.oidc_enabled,
        "oidc_provider_name": settings.oidc_provider_name,
    }
