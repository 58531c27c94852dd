"""Queries of the webhooks: endpoints, the outbox of deliveries, claims under a lease.

Add, flush and execute; never commit. `record_event` is what a use case calls before its own
commit, so an event exists if and only if the change it reports does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import Session, col, select

from advocacy.domain.access import ADMINS
from advocacy.domain.webhooks import (
    DeliveryStatus,
    EventType,
    Outcome,
    Scope,
    envelope,
    payload_data,
)
from advocacy.models import User, WebhookDelivery, WebhookEndpoint
from advocacy.models.fields import saved_id


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def record_event(
    session: Session,
    event: EventType,
    facts: Mapping[str, object],
    *,
    now: datetime,
    endpoint_id: int | None = None,
) -> list[WebhookDelivery]:
    """Write one delivery per enabled endpoint that wants `event`, its data cut to its scope.

    `endpoint_id` sends to that endpoint only (the admin's test event), whatever it subscribes to.
    """
    query = select(WebhookEndpoint).where(col(WebhookEndpoint.enabled).is_(True))
    if endpoint_id is not None:
        query = query.where(col(WebhookEndpoint.id) == endpoint_id)
    event_id = new_event_id()
    written = []
    for endpoint in session.exec(query.order_by(col(WebhookEndpoint.id))):
        if endpoint_id is None and event.value not in endpoint.event_types:
            continue
        data = payload_data(Scope(endpoint.scope), event, facts)
        body = json.dumps(envelope(event, data, now), separators=(",", ":"), default=str)
        delivery = WebhookDelivery(
            message_id=f"msg_{event_id[4:]}_{saved_id(endpoint)}",
            event_id=event_id,
            event_type=event.value,
            endpoint_id=saved_id(endpoint),
            payload=body,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        written.append(delivery)
    if written:
        session.flush()
    return written


# Endpoints ------------------------------------------------------------------------------------


def wanted(session: Session, event: EventType) -> bool:
    """Whether any enabled endpoint subscribes to `event` (most changes have no listener: the
    use case then gathers no facts at all)."""
    query = select(WebhookEndpoint.events).where(col(WebhookEndpoint.enabled).is_(True))
    return any(event.value in events.split(",") for events in session.exec(query))


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))))


def active_admins(session: Session) -> list[User]:
    query = select(User).where(
        col(User.active).is_(True), col(User.role).in_([role.value for role in ADMINS])
    )
    return list(session.exec(query.order_by(col(User.id))))


def deliveries_of(
    session: Session, endpoint_id: int, *, limit: int | None = 100
) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first."""
    query = (
        select(WebhookDelivery)
        .where(col(WebhookDelivery.endpoint_id) == endpoint_id)
        .order_by(col(WebhookDelivery.id).desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def delete_deliveries_of(session: Session, endpoint_id: int) -> None:
    """Remove an endpoint's whole delivery log in one statement."""
    session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint_id))


def status_counts(session: Session, endpoint_id: int) -> dict[str, int]:
    query = (
        select(WebhookDelivery.status, func.count())
        .where(col(WebhookDelivery.endpoint_id) == endpoint_id)
        .group_by(col(WebhookDelivery.status))
    )
    return {status: count for status, count in session.exec(query)}


# Delivery -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed for sending, with what sending it needs (plain values)."""

    delivery_id: int
    message_id: str
    payload: str
    attempts: int
    created_at: datetime
    endpoint_id: int
    url: str
    secret: str


def _due(now: datetime) -> object:
    # Pending and due, or claimed by a deliverer whose lease ran out (it died or hung): either
    # way nobody holds it now. A delivery that was mid-request is sent again with the same id.
    return or_(
        and_(
            col(WebhookDelivery.status) == DeliveryStatus.PENDING.value,
            col(WebhookDelivery.next_attempt_at) <= now,
        ),
        and_(
            col(WebhookDelivery.status) == DeliveryStatus.SENDING.value,
            col(WebhookDelivery.lease_expires_at) < now,
        ),
    )


def claim_due(
    session: Session, *, now: datetime, owner: str, lease_until: datetime, limit: int
) -> list[Claimed]:
    """Take up to `limit` due deliveries of enabled endpoints under a lease held by `owner`.

    The UPDATE repeats the due condition, so of two deliverers racing for a row only one gets
    it (PostgreSQL re-checks the condition on the row it waited for; SQLite runs one writer).
    """
    candidates = session.exec(
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
        .where(_due(now), col(WebhookEndpoint.enabled).is_(True))  # type: ignore[arg-type]
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(limit)
    ).all()
    if not candidates:
        return []
    claimed_ids = session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id).in_(candidates), _due(now))  # type: ignore[arg-type]
        .values(
            status=DeliveryStatus.SENDING.value,
            lease_owner=owner,
            lease_expires_at=lease_until,
        )
        .returning(col(WebhookDelivery.id))
    ).all()
    ids = sorted(row[0] for row in claimed_ids)
    if not ids:
        return []
    rows = session.exec(
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
        .where(col(WebhookDelivery.id).in_(ids))
        .order_by(col(WebhookDelivery.id))
    ).all()
    return [
        Claimed(
            delivery_id=saved_id(delivery),
            message_id=delivery.message_id,
            payload=delivery.payload,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            endpoint_id=saved_id(endpoint),
            url=endpoint.url,
            secret=endpoint.secret,
        )
        for delivery, endpoint in rows
    ]


def record_outcome(
    session: Session,
    claimed: Claimed,
    outcome: Outcome,
    *,
    owner: str,
    status_code: int | None,
    now: datetime,
) -> bool:
    """Write one attempt's outcome, only if `owner` still holds the delivery; False otherwise."""
    result = session.exec(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == claimed.delivery_id,
            col(WebhookDelivery.status) == DeliveryStatus.SENDING.value,
            col(WebhookDelivery.lease_owner) == owner,
        )
        .values(
            status=outcome.status.value,
            attempts=claimed.attempts + 1,
            next_attempt_at=outcome.next_attempt_at,
            lease_owner="",
            lease_expires_at=None,
            last_status_code=status_code,
            last_error=outcome.error,
            last_attempt_at=now,
            delivered_at=now if outcome.succeeded else None,
        )
    )
    return bool(result.rowcount)


def release(session: Session, delivery_ids: Sequence[int], *, owner: str, now: datetime) -> None:
    """Give back claimed deliveries not attempted (their endpoint was switched off meanwhile)."""
    if delivery_ids:
        session.exec(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id).in_(delivery_ids),
                col(WebhookDelivery.lease_owner) == owner,
            )
            .values(
                status=DeliveryStatus.PENDING.value,
                lease_owner="",
                lease_expires_at=None,
                next_attempt_at=now,
            )
        )
