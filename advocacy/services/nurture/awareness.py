"""Service-line awareness kept current from the evidence, as it is written.

The helpers here are called by the use cases that write the evidence (engagements, touchpoints,
mail events), in their transaction: they only flush. Awareness never goes down through them; only
`rebuild_awareness`, which recomputes everything from the evidence, can lower a record.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from advocacy.domain.awareness import Evidence, fold, mail_event_awareness, touchpoint_awareness
from advocacy.models import OutboxMessage, Touchpoint
from advocacy.repository import awareness


def record_evidence(session: Session, evidence: Iterable[Evidence], *, now: datetime) -> None:
    """Raise the contacts' and accounts' awareness to what `evidence` shows (helper: flushes)."""
    by_contact, by_account = fold(evidence)
    if not by_account:
        return
    contact_accounts = awareness.accounts_of_contacts(
        session, [contact_id for contact_id, _line in by_contact]
    )
    awareness.raise_awareness(session, by_contact, by_account, contact_accounts, now=now)


def follow_touchpoint(session: Session, touchpoint: Touchpoint, *, now: datetime) -> None:
    """A touchpoint about a service line introduces it, or shows interest (helper: flushes)."""
    if touchpoint.service_line_id is None:
        return
    state = touchpoint_awareness(touchpoint.kind, touchpoint.initiative)
    if state is None:
        return
    record_evidence(
        session,
        [
            Evidence(
                touchpoint.account_id,
                touchpoint.contact_id,
                touchpoint.service_line_id,
                state,
                touchpoint.occurred_at,
            )
        ],
        now=now,
    )


def follow_sold_engagements(session: Session, account_id: int, *, now: datetime) -> None:
    """The account's sold engagements make it, and the people named on them, bought (flushes)."""
    record_evidence(session, awareness.bought_evidence(session, account_id), now=now)


@dataclass(frozen=True)
class MailFact:
    """A provider event about a message that introduces a service line to a contact."""

    contact_id: int
    service_line_id: int
    event: str
    at: datetime


def mail_fact(message: OutboxMessage, event: str, at: datetime) -> MailFact | None:
    """The fact to keep from a provider event about `message`; None when it proves nothing."""
    if message.service_line_id is None or message.contact_id is None:
        return None
    if mail_event_awareness(event) is None:
        return None
    return MailFact(message.contact_id, message.service_line_id, event, at)


def follow_mail_events(session: Session, facts: Iterable[MailFact], *, now: datetime) -> None:
    """Delivered introduces the line, a click shows interest: for the contact and its account.

    Called once per batch of events: a handful of statements however many events it holds.
    """
    facts = list(facts)
    if not facts:
        return
    accounts = awareness.accounts_of_contacts(session, [fact.contact_id for fact in facts])
    evidence = []
    for fact in facts:
        state = mail_event_awareness(fact.event)
        if state is not None and fact.contact_id in accounts:
            evidence.append(
                Evidence(
                    accounts[fact.contact_id], fact.contact_id, fact.service_line_id, state, fact.at
                )
            )
    record_evidence(session, evidence, now=now)


@dataclass(frozen=True)
class Rebuilt:
    contact_records: int
    account_records: int
    seconds: float


def rebuild_awareness(session: Session, *, now: datetime) -> Rebuilt:
    """Recompute every contact's and account's awareness from the evidence alone, and commit."""
    started = time.perf_counter()
    contacts, accounts = awareness.rebuild_all(session, now=now)
    session.commit()
    return Rebuilt(contacts, accounts, time.perf_counter() - started)
