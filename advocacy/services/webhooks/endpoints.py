"""Admins' use cases on webhook endpoints: register, switch on or off, delete, replay, test."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.adapters.webhook_http import new_secret, resolve_addresses
from advocacy.domain.access import ADMINS
from advocacy.domain.audit import Action
from advocacy.domain.errors import NotAllowed, RuleError
from advocacy.domain.identity import Role
from advocacy.domain.text import N_
from advocacy.domain.webhooks import (
    DeliveryStatus,
    EventType,
    Scope,
    address_problem,
    check_subscription,
    parse_networks,
    url_form_problem,
    url_host,
)
from advocacy.models import User, WebhookDelivery, WebhookEndpoint
from advocacy.models.fields import saved_id
from advocacy.repository import audit, get_row, webhooks
from advocacy.settings import Settings

MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class Registered:
    """A new endpoint and its secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def _check_admin(user: User) -> None:
    if Role(user.role) not in ADMINS:
        raise NotAllowed(N_("Only an administrator may manage webhooks."))


def check_url(settings: Settings, url: str) -> str:
    """The URL, trimmed, if the URL rule allows it; a RuleError saying why not otherwise."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise RuleError(N_("The address is too long."))
    problem = url_form_problem(url) or address_problem(
        resolve_addresses(url_host(url)),
        parse_networks(settings.webhooks_allowed_private_networks),
    )
    if problem is not None:
        raise RuleError(problem.value)
    return url


def register_endpoint(
    session: Session,
    settings: Settings,
    *,
    url: str,
    events: Iterable[str],
    scope: str,
    description: str = "",
    by: User,
    now: datetime,
) -> Registered:
    """Register an endpoint; its signing secret is returned once and shown once."""
    _check_admin(by)
    try:
        chosen_scope = Scope(scope)
    except ValueError:
        raise RuleError(N_("Choose a scope.")) from None
    chosen = check_subscription(chosen_scope, events)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=check_url(settings, url),
        description=" ".join(description.split())[:200],
        events=",".join(event.value for event in chosen),
        scope=chosen_scope.value,
        secret=secret,
        created_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    session.flush()
    audit.record(
        session,
        Action.WEBHOOK_ENDPOINT_REGISTERED,
        actor=audit.user_actor(by),
        subject=("webhook_endpoint", endpoint.id),
        details={"events": endpoint.events, "scope": endpoint.scope},
        now=now,
    )
    session.commit()
    return Registered(endpoint, secret)


def set_enabled(
    session: Session, endpoint_id: int, enabled: bool, *, by: User, now: datetime
) -> WebhookEndpoint:
    """Switch an endpoint on (its failure count starts again) or off."""
    _check_admin(by)
    endpoint = get_row(session, WebhookEndpoint, endpoint_id)
    endpoint.enabled = enabled
    endpoint.failing_since = None
    endpoint.disabled_reason = "" if enabled else "switched off by an administrator"
    endpoint.updated_at = now
    session.add(endpoint)
    audit.record(
        session,
        Action.WEBHOOK_ENDPOINT_CHANGED,
        actor=audit.user_actor(by),
        subject=("webhook_endpoint", endpoint.id),
        details={"enabled": enabled},
        now=now,
    )
    session.commit()
    return endpoint


def delete_endpoint(session: Session, endpoint_id: int, *, by: User) -> None:
    """Delete an endpoint and its delivery log."""
    _check_admin(by)
    endpoint = get_row(session, WebhookEndpoint, endpoint_id)
    webhooks.delete_deliveries_of(session, endpoint_id)
    session.delete(endpoint)
    audit.record(
        session,
        Action.WEBHOOK_ENDPOINT_DELETED,
        actor=audit.user_actor(by),
        subject=("webhook_endpoint", endpoint_id),
    )
    session.commit()


def replay_delivery(
    session: Session, endpoint_id: int, delivery_id: int, *, by: User, now: datetime
) -> WebhookDelivery:
    """Send a delivery again, now, under the same webhook-id (the receiver may de-duplicate)."""
    _check_admin(by)
    delivery = get_row(session, WebhookDelivery, delivery_id)
    if delivery.endpoint_id != endpoint_id:
        raise RuleError(N_("This delivery belongs to another endpoint."))
    if delivery.status == DeliveryStatus.SENDING.value:
        raise RuleError(N_("This delivery is being sent right now."))
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = now
    # The retry window starts again: a replay is a new decision by an admin.
    delivery.created_at = now
    session.add(delivery)
    session.commit()
    return delivery


def send_test_event(
    session: Session, endpoint_id: int, *, by: User, now: datetime
) -> WebhookDelivery:
    """Queue a test event for one endpoint; the jobs process delivers it within seconds."""
    _check_admin(by)
    endpoint = get_row(session, WebhookEndpoint, endpoint_id)
    if not endpoint.enabled:
        raise RuleError(N_("Switch the endpoint on before sending it a test event."))
    written = webhooks.record_event(
        session,
        EventType.TEST,
        {"message": "A test event from Advocacy.", "endpoint_id": saved_id(endpoint)},
        now=now,
        endpoint_id=saved_id(endpoint),
    )
    session.commit()
    return written[0]
