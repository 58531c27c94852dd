"""SendGrid's event webhook, played from what the local Mail Send server received.

SendGrid posts, for every personalization of a request it accepted, events that carry the
recipient, SendGrid's ids and the request's `custom_args` as top-level fields. `events_for` builds
those events from a request the FakeSendGrid recorded (so a test uses the custom args the product
really sent, never a name it chose), and `Signer` signs a body as SendGrid does (ECDSA P-256 over
timestamp + body, base64), so the events go through the real, signed `/webhooks/sendgrid`.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.fake_sendgrid import Recorded

WEBHOOK_URL = "/webhooks/sendgrid"
# SendGrid batches events; a post stays far below the endpoint's size and count limits.
EVENTS_PER_POST = 500
_event_numbers = itertools.count(1)


class Signer:
    """Signs webhook bodies the way SendGrid does; `public_key` is what its settings page shows."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode()

    def headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.key.sign((stamp + body).encode(), ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        }


def events_for(
    request: Recorded, kinds: Sequence[str] = ("processed", "delivered")
) -> list[dict[str, Any]]:
    """The events SendGrid posts about an accepted request, one per recipient and kind."""
    assert request.accepted and request.body, "only an accepted request has events"
    body = request.body
    provider_id = request.provider_message_id
    events = []
    for personalization in body["personalizations"]:
        custom_args = {**body.get("custom_args", {}), **personalization.get("custom_args", {})}
        for recipient in personalization["to"]:
            for kind in kinds:
                event: dict[str, Any] = {
                    "email": recipient["email"],
                    "timestamp": int(time.time()),
                    "event": kind,
                    "sg_event_id": f"sim{next(_event_numbers):012d}",
                    "sg_message_id": f"{provider_id}.recvd-7d8f9c-1-{kind[:4]}-0",
                    "smtp-id": f"<{provider_id}@ismtpd0001p1lon1.sendgrid.net>",
                    "category": body.get("categories", []),
                    **custom_args,
                }
                if kind == "delivered":
                    event.update(response="250 2.0.0 OK", ip="167.89.0.1", tls=1)
                events.append(event)
    return events


def post_events(client: Any, signer: Signer, events: Iterable[dict[str, Any]]) -> int:
    """Post events to the app's webhook in signed batches, as SendGrid does; return how many."""
    batch: list[dict[str, Any]] = []
    posted = 0
    for event in events:
        batch.append(event)
        if len(batch) == EVENTS_PER_POST:
            posted += _post(client, signer, batch)
            batch = []
    if batch:
        posted += _post(client, signer, batch)
    return posted


def _post(client: Any, signer: Signer, batch: list[dict[str, Any]]) -> int:
    body = json.dumps(batch)
    response = client.post(WEBHOOK_URL, data=body, headers=signer.headers(body))
    assert response.status_code == 204, response.get_data(as_text=True)
    return len(batch)
