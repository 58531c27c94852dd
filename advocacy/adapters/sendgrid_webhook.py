"""SendGrid's signed event webhook: the ECDSA check, through the library's own helper."""

from __future__ import annotations

import binascii
import logging
from functools import lru_cache

from sendgrid.helpers.eventwebhook import EventWebhook

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


@lru_cache(maxsize=4)
def _verifier(public_key: str) -> EventWebhook | None:
    # Parsing the key once per key (not per request) keeps the endpoint fast; a key that does not
    # parse makes every request fail closed rather than the app refuse to start.
    try:
        return EventWebhook(public_key)
    except (ValueError, TypeError):
        log.error("sendgrid_webhook_public_key is not a base64 DER public key")
        return None


def signature_is_valid(public_key: str, payload: str, signature: str, timestamp: str) -> bool:
    """Whether SendGrid signed `timestamp + payload` (the raw body, exactly as received)."""
    if not public_key or not signature or not timestamp:
        return False
    verifier = _verifier(public_key)
    if verifier is None:
        return False
    try:
        return bool(verifier.verify_signature(payload, signature, timestamp))
    except (binascii.Error, ValueError, TypeError):  # not base64, or not a DER signature
        return False
