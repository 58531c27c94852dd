"""GET /healthz: is the database reachable, when did a jobs process last beat, which one leads."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify
from werkzeug.wrappers import Response

from advocacy.clock import utcnow
from advocacy.db import engine
from advocacy.http.security import public
from advocacy.services.operations.heartbeats import health_report

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    settings = current_app.config["ADVOCACY"]
    silence = (
        timedelta(minutes=settings.mail_events_silence_minutes)
        if settings.mail_backend == "sendgrid"
        else None
    )
    report = health_report(
        engine(),
        now=utcnow(),
        stale_after_s=settings.scheduler_stale_seconds,
        mail_events_silence=silence,
    )
    response = jsonify(report.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response, (200 if report.database_ok else 503)
