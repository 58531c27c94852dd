"""The JSON API under /api/v1: bearer tokens, problem+json errors, an OpenAPI document built from
the same pydantic schemas that validate requests and shape responses."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_api(app: Flask) -> None:
    """Register the API views on the app; bearer tokens replace cookies, so CSRF does not apply."""
    # The view modules add their routes to `bp` when first imported.
    from advocacy.api import (  # noqa: F401
        accounts,
        check_ins,
        contacts,
        content,
        engagements,
        library,
        openapi,
        referrals,
        scores,
        service_lines,
        survey_answers,
        touchpoints,
    )
    from advocacy.http.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
