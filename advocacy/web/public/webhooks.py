"""POST /webhooks/sendgrid: SendGrid's signed event webhook. Verify, store, answer; the jobs
process applies the events after (advocacy.services.mail.events)."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, request
from werkzeug.wrappers import Response

from advocacy.adapters import sendgrid_webhook
from advocacy.clock import utcnow
from advocacy.db import db_session
from advocacy.domain.mail_events import EventBatchError, parse_batch, timestamp_is_fresh
from advocacy.http.extensions import csrf, limiter
from advocacy.http.security import public
from advocacy.services.mail.events import store_events
from advocacy.settings import Settings

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)

# SendGrid posts a batch when it reaches 768 kB or every 30 s: 1 MiB leaves room, nothing more.
MAX_BODY_BYTES = 1024 * 1024
MAX_EVENTS = 10_000
# Signed requests may come from a clock a little ahead of ours.
CLOCK_SKEW_SECONDS = 60
# Generous (SendGrid sends from a few addresses), but a flood is refused before the ECDSA check.
WEBHOOK_LIMIT = "600 per minute"


def _refuse(status: int, reason: str) -> Response:
    # A short plain answer: SendGrid only reads the status, and a flood of forgeries should cost
    # as little as possible.
    return Response(reason + "\n", status=status, mimetype="text/plain")


@bp.post("/webhooks/sendgrid")
@public
@csrf.exempt  # SendGrid signs its requests; it has no session or CSRF token
@limiter.limit(WEBHOOK_LIMIT)
def sendgrid_events() -> Response:
    settings: Settings = current_app.config["ADVOCACY"]
    if (request.content_length or 0) > MAX_BODY_BYTES:
        abort(413)
    request.max_content_length = MAX_BODY_BYTES  # also caps a body sent without a length
    body = request.get_data(as_text=True)  # the raw body: the signature covers these exact bytes
    signature = request.headers.get(sendgrid_webhook.SIGNATURE_HEADER, "")
    timestamp = request.headers.get(sendgrid_webhook.TIMESTAMP_HEADER, "")
    if not sendgrid_webhook.signature_is_valid(
        settings.sendgrid_webhook_public_key, body, signature, timestamp
    ):
        log.warning("refused a SendGrid webhook request with a missing or bad signature")
        return _refuse(403, "signature missing or invalid")
    now = utcnow()
    if not timestamp_is_fresh(
        timestamp,
        now=now,
        max_age_s=settings.sendgrid_webhook_max_age_seconds,
        skew_s=CLOCK_SKEW_SECONDS,
    ):
        log.warning("refused a SendGrid webhook request with a stale timestamp (replay?)")
        return _refuse(403, "timestamp too old or in the future")
    try:
        events = parse_batch(body, received_at=now, max_events=MAX_EVENTS)
    except EventBatchError as error:
        return _refuse(400, str(error))
    stored = store_events(db_session(), events, now=now)
    if stored.duplicates:
        log.info("SendGrid webhook: %d duplicate events ignored", stored.duplicates)
    return Response(status=204)
