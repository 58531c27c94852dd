"""Queueing many e-mails at once: the bulk form of `queue.queue_email`, for nurture runs.

Same idempotency key, same refusals (address, suppression, consent, contact gone, pressure
budget, send window), same rendering and unsubscribe link, and the same messages as calling
`queue_email` once per draft in order (a test compares both). What differs is the cost: the
facts are read once for the whole batch and links and messages are written with one statement
each (`INSERT ... ON CONFLICT DO NOTHING`, so a key written meanwhile by another process stands).
Each message queued counts, for the drafts after it, as a pending touch of its contact and account,
exactly as a message queued by an earlier `queue_email` call would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from advocacy.domain import pressure
from advocacy.domain.mail import CLIENT_FACING, Category
from advocacy.domain.outbox import Recipient, Refusal, Status, idempotency_key, refusal_for
from advocacy.domain.people import ContactStatus
from advocacy.repository import outbox
from advocacy.services.access.client_links import new_link_values
from advocacy.services.mail.queue import QueueResult, budget_of, message_values, window_of
from advocacy.settings import Settings

PENDING = (Status.QUEUED, Status.SENDING, Status.UNKNOWN)


@dataclass(frozen=True)
class Draft:
    """One e-mail to queue: the arguments `queue_email` takes."""

    category: Category
    template: str
    to: str
    contact_id: int | None = None
    account_id: int | None = None
    source: tuple[str, int | None] = ("", None)
    occurrence: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)
    to_name: str = ""
    user_id: int | None = None
    language: str | None = None
    service_line_id: int | None = None

    @property
    def email(self) -> str:
        return self.to.strip().lower()

    @property
    def key(self) -> str:
        source_type, source_id = self.source
        return idempotency_key(
            self.category.value, self.email, source_type, source_id, self.occurrence
        )


def queue_emails(
    session: Session, drafts: Sequence[Draft], *, now: datetime, settings: Settings
) -> list[QueueResult]:
    """Write these e-mails to the outbox (one result per draft, in order); flushes only."""
    keys = [draft.key for draft in drafts]
    existing = outbox.ids_by_key(session, keys)
    contacts = outbox.contacts(session, [draft.contact_id for draft in drafts])
    suppressed = outbox.suppressions_for(session, [draft.email for draft in drafts])
    account_ids = {c.account_id for c in contacts.values()} | {
        d.account_id for d in drafts if d.account_id is not None
    }
    by_contact, by_account = outbox.pressure_touches(
        session,
        contact_ids=list(contacts),
        account_ids=account_ids,
        since=now - budget_of(settings).period,
        now=now,
        pending=PENDING,
    )
    budget, window = budget_of(settings), window_of(settings)
    results: list[QueueResult | None] = []
    later: dict[int, str] = {}  # result index -> key written earlier in this batch
    written: set[str] = set()
    links: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    touches_c: dict[int, list[datetime]] = defaultdict(list, by_contact)
    touches_a: dict[int, list[datetime]] = defaultdict(list, by_account)
    for draft, key in zip(drafts, keys, strict=True):
        if key in existing:
            results.append(QueueResult(existing[key], created=False))
            continue
        if key in written:
            later[len(results)] = key
            results.append(None)
            continue
        contact = contacts.get(draft.contact_id) if draft.contact_id is not None else None
        refusal = refusal_for(
            draft.category,
            Recipient(
                email=draft.email,
                suppressed_categories=suppressed.get(draft.email, frozenset()),
                has_contact=contact is not None,
                contact_active=contact is None or contact.status == ContactStatus.ACTIVE.value,
                consent_basis=contact.consent_basis if contact else "",
            ),
        )
        if refusal is not None:
            results.append(QueueResult(None, refusal=refusal))
            continue
        next_attempt_at, account_id = now, draft.account_id
        if draft.category in CLIENT_FACING and contact is not None and contact.id is not None:
            account_id = account_id or contact.account_id
            verdict = pressure.assess(
                now,
                timezone=contact.timezone or settings.default_timezone,
                window=window,
                budget=budget,
                contact_touches=touches_c[contact.id],
                account_touches=touches_a[contact.account_id],
            )
            if verdict.kind is pressure.VerdictKind.REFUSED:
                results.append(
                    QueueResult(None, refusal=Refusal.OVER_BUDGET, detail=verdict.reason)
                )
                continue
            if verdict.kind is pressure.VerdictKind.WAIT and verdict.at is not None:
                next_attempt_at = verdict.at
            touches_c[contact.id].append(now)
            touches_a[account_id].append(now)
        token = ""
        if draft.category in CLIENT_FACING:
            link, token = new_link_values(
                purpose="unsubscribe", email=draft.email, now=now, contact_id=draft.contact_id
            )
            links.append(link)
        language = draft.language or (contact.language if contact else settings.default_language)
        rows.append(
            message_values(
                settings,
                token=token,
                category=draft.category,
                template=draft.template,
                email=draft.email,
                to_name=draft.to_name,
                contact_id=contact.id if contact else draft.contact_id,
                account_id=account_id,
                user_id=draft.user_id,
                source=draft.source,
                key=key,
                language=language,
                context=dict(draft.context),
                now=now,
                next_attempt_at=next_attempt_at,
                service_line_id=draft.service_line_id,
            )
        )
        written.add(key)
        results.append(QueueResult(None, created=True))
    outbox.insert_new(session, links, rows)
    ids = outbox.ids_by_key(session, written)
    final: list[QueueResult] = []
    for index, (result, key) in enumerate(zip(results, keys, strict=True)):
        if index in later:
            final.append(QueueResult(ids.get(later[index]), created=False))
        elif result is not None and result.created:
            final.append(QueueResult(ids.get(key), created=True))
        else:
            assert result is not None
            final.append(result)
    return final
