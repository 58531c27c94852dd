"""Provider events: stored first (deduplicated), processed after by the jobs process.

Storing is all the webhook does, so it answers fast; processing updates the message, turns events
into touchpoints and suppressions, and is safe to run twice: each event is marked processed, each
touchpoint has an external id per message and event, and suppressions are upserts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from advocacy.domain import consent
from advocacy.domain import mail_events as rules
from advocacy.domain.errors import RuleError
from advocacy.domain.mail import Category
from advocacy.domain.touchpoints import Channel, TouchpointKind, TouchpointSource
from advocacy.models import Contact, MailEvent, OutboxMessage, TouchpointCreate
from advocacy.repository import journey
from advocacy.services.journey.touchpoints import add_touchpoint_to
from advocacy.services.mail.consent import apply_blocks, blocks_of, record_consent
from advocacy.services.nurture.awareness import MailFact, follow_mail_events, mail_fact
from advocacy.services.scoring import recompute

log = logging.getLogger(__name__)
# Events the advocacy score reads (response to nurture): their contact is rescored per batch.
SCORED_EVENTS = ("open", "click")
ID_CHUNK = 500  # ids per IN (...) query: well under every database's parameter limit


@dataclass(frozen=True)
class StoredBatch:
    stored: int
    duplicates: int


def _known_ids(session: Session, ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        query = select(MailEvent.provider_event_id).where(
            col(MailEvent.provider_event_id).in_(chunk)
        )
        known.update(session.exec(query))
    return known


def _messages_named(session: Session, events: list[rules.ProviderEvent]) -> dict[int, str]:
    """Outbox id -> recipient, for the messages the events name in their custom arg."""
    ids = sorted({e.message_id for e in events if e.message_id is not None})
    found: dict[int, str] = {}
    for start in range(0, len(ids), ID_CHUNK):
        query = select(OutboxMessage.id, OutboxMessage.to_email).where(
            col(OutboxMessage.id).in_(ids[start : start + ID_CHUNK])
        )
        found.update(
            {
                message_id: email.lower()
                for message_id, email in session.exec(query)
                if message_id is not None  # a primary key: never None once read
            }
        )
    return found


def _row(
    event: rules.ProviderEvent, now: datetime, messages: Mapping[int, str] | None = None
) -> MailEvent:
    # Linked to its message at once (as processing would): a message whose outcome is unknown is
    # settled by the next dispatch even before the events are processed.
    email = (messages or {}).get(event.message_id or 0)
    linked = email is not None and (not event.email or email == event.email)
    return MailEvent(
        provider_event_id=event.event_id,
        message_id=event.message_id if linked else None,
        event=event.event,
        email=event.email,
        occurred_at=event.occurred_at,
        payload_json=event.payload,
        received_at=now,
    )


def store_events(
    session: Session, events: list[rules.ProviderEvent], *, now: datetime
) -> StoredBatch:
    """Keep each new event once (SendGrid retries for up to a day); a known event is skipped."""
    known = _known_ids(session, [e.event_id for e in events])
    fresh: list[rules.ProviderEvent] = []
    for event in events:
        if event.event_id not in known:
            known.add(event.event_id)
            fresh.append(event)
    messages = _messages_named(session, fresh)
    session.add_all([_row(event, now, messages) for event in fresh])
    try:
        session.commit()
    except IntegrityError:
        # The same batch arrived twice at once: keep whichever rows the other request did not.
        session.rollback()
        stored = 0
        for event in fresh:
            session.add(_row(event, now, messages))
            try:
                session.commit()
                stored += 1
            except IntegrityError:
                session.rollback()
        return StoredBatch(stored, len(events) - stored)
    return StoredBatch(len(fresh), len(events) - len(fresh))


def _match_message(session: Session, event: rules.ProviderEvent) -> OutboxMessage | None:
    if event.message_id is not None:
        message = session.get(OutboxMessage, event.message_id)
        if message is not None and (not event.email or message.to_email.lower() == event.email):
            return message
    if event.provider_message_id:
        # One request may carry many personalizations that share the X-Message-Id: the address
        # tells them apart.
        query = select(OutboxMessage).where(
            OutboxMessage.provider_message_id == event.provider_message_id
        )
        for message in session.exec(query):
            if not event.email or message.to_email.lower() == event.email:
                return message
    return None


def _update_message(
    message: OutboxMessage, event: rules.ProviderEvent, effect: rules.EventEffect, now: datetime
) -> None:
    if message.status == "unknown":  # any event proves the request reached SendGrid
        message.status = "sent"
        message.sent_at = message.sent_at or event.occurred_at
    if not message.provider_message_id and event.provider_message_id:
        message.provider_message_id = event.provider_message_id
    if rules.delivery_moves_forward(message.delivery, effect.delivery):
        message.delivery = effect.delivery or ""
    message.updated_at = now


def _change_consent(
    session: Session,
    event: rules.ProviderEvent,
    effect: rules.EventEffect,
    message: OutboxMessage | None,
    now: datetime,
) -> None:
    email = event.email or (message.to_email.lower() if message else "")
    if not email or (effect.withdraw is None and effect.resubscribe is None):
        return
    blocks = blocks_of(session, email)
    if effect.withdraw is not None:
        category, reason = effect.withdraw
        after = consent.withdraw(blocks, category, reason)
    else:
        assert effect.resubscribe is not None
        category = effect.resubscribe.value
        after = consent.resubscribe(blocks, effect.resubscribe)
    apply_blocks(session, email, after, source=f"sendgrid {event.event}", now=now)
    if effect.consent_action:
        record_consent(
            session,
            email=email,
            category=category,
            action=effect.consent_action,
            via="webhook",
            now=now,
            contact_id=message.contact_id if message else None,
            detail=f"{event.event} {event.event_id}",
        )


def _add_touchpoint(
    session: Session,
    event: rules.ProviderEvent,
    effect: rules.EventEffect,
    message: OutboxMessage | None,
    now: datetime,
) -> None:
    if effect.initiative is None or message is None or message.contact_id is None:
        return
    # One touchpoint per message and kind of event: the fifth open of one e-mail is not news.
    external_id = f"sendgrid:{message.id}:{event.event}"[:100]
    if journey.touchpoint_by_external_id(session, external_id) is not None:
        return
    contact = session.get(Contact, message.contact_id)
    if contact is None:
        return
    account = journey.get_account(session, contact.account_id)
    data = TouchpointCreate(
        kind=TouchpointKind.EMAIL,
        initiative=effect.initiative,
        channel=Channel.EMAIL,
        contact_id=contact.id,
        occurred_at=min(event.occurred_at, now),
        summary=rules.touchpoint_summary(event.event, message.subject),
        external_id=external_id,
    )
    try:
        add_touchpoint_to(session, account, data, by=None, now=now, source=TouchpointSource.SYSTEM)
    except RuleError as error:
        log.warning("no touchpoint for mail event %s: %s", event.event_id, error)


def _stored(row: MailEvent) -> rules.ProviderEvent | None:
    try:
        raw = json.loads(row.payload_json)
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    return rules.parse_event(raw, received_at=row.received_at)


def _process_one(
    session: Session, row: MailEvent, asm_groups: Mapping[int, Category], now: datetime
) -> MailFact | None:
    """Apply one event; return what it proves about a line the message introduces, if anything
    (the caller records those once per batch)."""
    event = _stored(row)
    if event is None:
        return None
    message = _match_message(session, event)
    effect = rules.effect_of(event, asm_groups)
    if message is not None:
        row.message_id = message.id
        _update_message(message, event, effect, now)
    _change_consent(session, event, effect, message, now)
    _add_touchpoint(session, event, effect, message, now)
    return mail_fact(message, event.event, min(event.occurred_at, now)) if message else None


def _rescored(session: Session, row: MailEvent) -> int | None:
    """The contact whose advocacy score this event changes: an open or a click of nurture mail."""
    if row.message_id is None or row.event not in SCORED_EVENTS:
        return None
    message = session.get(OutboxMessage, row.message_id)  # already loaded by _match_message
    if message is None or message.category != Category.NURTURE.value:
        return None
    return message.contact_id


def _pending(session: Session, limit: int) -> list[MailEvent]:
    query = (
        select(MailEvent)
        .where(col(MailEvent.processed_at).is_(None))
        .order_by(col(MailEvent.occurred_at), col(MailEvent.id))
        .limit(limit)
    )
    return list(session.exec(query))


def _process_alone(
    session: Session, row_id: int, asm_groups: Mapping[int, Category], now: datetime
) -> None:
    """Process one event in its own transaction; a failing one is logged and set aside."""
    row = session.get(MailEvent, row_id)
    if row is None or row.processed_at is not None:
        return
    try:
        fact = _process_one(session, row, asm_groups, now)
        follow_mail_events(session, [fact] if fact else [], now=now)
        contact_id = _rescored(session, row)
        if contact_id is not None:
            recompute.rescore(session, [contact_id], now=now)
        row.processed_at = now
        session.commit()
    except Exception:
        session.rollback()
        log.exception("mail event %s could not be processed; set aside", row_id)
        row = session.get(MailEvent, row_id)
        if row is not None:
            row.processed_at = now
            session.commit()


def process_pending_events(
    session: Session,
    now: datetime,
    *,
    asm_groups: Mapping[int, Category] | None = None,
    batch_size: int = 500,
    max_batches: int = 20,
) -> int:
    """Apply stored events in the order they happened; return how many were processed.

    Commits once per batch so a large backlog never holds one long transaction. When a batch
    fails, its events are retried one per transaction, so one bad event never blocks the others.
    """
    asm_groups = asm_groups or {}
    done = 0
    for _batch in range(max_batches):
        rows = _pending(session, batch_size)
        ids = [row.id for row in rows if row.id is not None]
        try:
            facts = []
            scored: set[int] = set()
            for row in rows:
                fact = _process_one(session, row, asm_groups, now)
                if fact is not None:
                    facts.append(fact)
                contact_id = _rescored(session, row)
                if contact_id is not None:
                    scored.add(contact_id)
                row.processed_at = now
            # Awareness and scores once per batch: a fixed number of statements, however many
            # events it held.
            follow_mail_events(session, facts, now=now)
            if scored:
                recompute.rescore(session, scored, now=now)
            session.commit()
        except Exception:
            session.rollback()
            log.warning("a batch of mail events failed; processing them one by one")
            for row_id in ids:
                _process_alone(session, row_id, asm_groups, now)
        done += len(rows)
        if len(rows) < batch_size:
            break
    return done
