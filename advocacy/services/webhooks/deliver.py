"""Delivering the webhook outbox: claim under a lease, check the address, sign, post, record.

No transaction is held while a request is on the network: a batch is claimed and committed,
then each delivery is attempted and its outcome committed on its own. A deliverer killed at any
moment leaves at most its claimed deliveries `sending`; when their lease runs out another run
sends them again under the same `webhook-id`. That is the at-least-once promise: an event is
never lost, and a receiver de-duplicates on the id.
"""

from __future__ import annotations

import secrets
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from advocacy.adapters.webhook_http import WebhookPoster, resolve_addresses, signed_headers
from advocacy.domain.mail import Category
from advocacy.domain.webhooks import (
    Answer,
    DeliveryStatus,
    Outcome,
    UrlProblem,
    address_problem,
    decide,
    failing_since_after,
    parse_networks,
    should_disable,
    url_form_problem,
    url_host,
)
from advocacy.models import WebhookEndpoint
from advocacy.repository import webhooks
from advocacy.repository.webhooks import Claimed
from advocacy.services.mail.queue import queue_email
from advocacy.settings import Settings

DEFAULT_MAX_BATCHES = 50
Clock = Callable[[], datetime]


@dataclass
class DeliveryReport:
    """What one run did, by outcome (for the job log and the tests)."""

    counts: Counter[str] = field(default_factory=Counter)
    disabled: list[int] = field(default_factory=list)

    def __getitem__(self, what: str) -> int:
        return self.counts[what]


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{secrets.token_hex(6)}"


def run_delivery(engine: Engine, settings: Settings, *, clock: Clock) -> DeliveryReport:
    """The job: deliver every due webhook event."""
    poster = WebhookPoster(settings.webhooks_timeout_seconds)
    try:
        return deliver_due(engine, settings, poster, clock=clock, worker_id=new_worker_id())
    finally:
        poster.close()


def deliver_due(
    engine: Engine,
    settings: Settings,
    poster: WebhookPoster,
    *,
    clock: Clock,
    worker_id: str,
    max_batches: int = DEFAULT_MAX_BATCHES,
) -> DeliveryReport:
    """Deliver due deliveries batch after batch, until none is due or `max_batches` ran."""
    report = DeliveryReport()
    lease = timedelta(seconds=settings.webhooks_lease_seconds)
    timeout = timedelta(seconds=settings.webhooks_timeout_seconds)
    for _ in range(max_batches):
        now = clock()
        with Session(engine) as session:
            batch = webhooks.claim_due(
                session,
                now=now,
                owner=worker_id,
                lease_until=now + lease,
                limit=settings.webhooks_batch_size,
            )
            session.commit()
        if not batch:
            break
        for index, claimed in enumerate(batch):
            if clock() + timeout * 2 >= now + lease:
                # Not enough of the lease left to be sure of recording the answer: give the rest
                # back rather than let another deliverer send them at the same time.
                with Session(engine) as session:
                    rest = [item.delivery_id for item in batch[index:]]
                    webhooks.release(session, rest, owner=worker_id, now=clock())
                    session.commit()
                report.counts["released"] += len(batch) - index
                break
            _deliver_one(engine, settings, poster, claimed, clock, worker_id, report)
    return report


def _deliver_one(
    engine: Engine,
    settings: Settings,
    poster: WebhookPoster,
    claimed: Claimed,
    clock: Clock,
    worker_id: str,
    report: DeliveryReport,
) -> None:
    addresses, problem = _checked_addresses(settings, claimed.url)
    answer: Answer | None = None
    if problem is None:
        headers = signed_headers(claimed.secret, claimed.message_id, claimed.payload, clock())
        answer = poster.post(claimed.url, claimed.payload, headers, addresses=addresses)
    now = clock()
    if problem is UrlProblem.UNRESOLVED:
        answer = Answer(None, error=str(problem))
    if answer is None:
        # Refused by the address rule: the request was never made, and would never be allowed.
        outcome = Outcome(DeliveryStatus.FAILED, now, error=f"not sent: {problem}")
    else:
        outcome = decide(
            answer, attempts=claimed.attempts + 1, created_at=claimed.created_at, now=now
        )
    with Session(engine) as session:
        recorded = webhooks.record_outcome(
            session,
            claimed,
            outcome,
            owner=worker_id,
            status_code=answer.status_code if answer else None,
            now=now,
        )
        if not recorded:
            report.counts["lost_lease"] += 1
            session.rollback()
            return
        endpoint = session.get(WebhookEndpoint, claimed.endpoint_id)
        if endpoint is not None:
            _follow_endpoint_health(session, settings, endpoint, outcome, now, report)
        session.commit()
    report.counts[outcome.status.value] += 1


def _checked_addresses(settings: Settings, url: str) -> tuple[list[str], UrlProblem | None]:
    """The URL rule, checked again at each attempt (a name may point elsewhere since it was
    registered), with the addresses it checked: the request connects to those only."""
    problem = url_form_problem(url)
    if problem is not None:
        return [], problem
    allowed = parse_networks(settings.webhooks_allowed_private_networks)
    addresses = resolve_addresses(url_host(url))
    return addresses, address_problem(addresses, allowed)


def _follow_endpoint_health(
    session: Session,
    settings: Settings,
    endpoint: WebhookEndpoint,
    outcome: Outcome,
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Keep `failing_since` up to date; switch off an endpoint failing for a day and tell admins."""
    failing_since = failing_since_after(endpoint.failing_since, outcome, now)
    disable = endpoint.enabled and should_disable(failing_since, now)
    if failing_since == endpoint.failing_since and not disable:
        return
    endpoint.failing_since = failing_since
    if disable:
        endpoint.enabled = False
        endpoint.disabled_reason = "every delivery failed for a day"
        report.disabled.append(endpoint.id or 0)
        _notify_admins(session, settings, endpoint, now)
    endpoint.updated_at = now
    session.add(endpoint)


def _notify_admins(
    session: Session, settings: Settings, endpoint: WebhookEndpoint, now: datetime
) -> None:
    since = endpoint.failing_since.isoformat() if endpoint.failing_since else ""
    message = (
        f"Every delivery to the webhook endpoint {endpoint.url} has failed since {since}. "
        "It is switched off: no event is sent to it until an administrator switches it on again."
    )
    for admin in webhooks.active_admins(session):
        queue_email(
            session,
            category=Category.TRANSACTIONAL,
            template="staff_notice",
            to=admin.email,
            to_name=admin.name,
            user_id=admin.id,
            source=("webhook_endpoint", endpoint.id),
            occurrence=since,
            context={
                "title": "A webhook endpoint was switched off",
                "message": message,
                "link": f"{settings.base_url}/admin/webhooks/{endpoint.id}",
            },
            now=now,
            language=admin.language or None,
            settings=settings,
        )
