"""Queueing e-mail: every e-mail of the product goes through `queue_email` into the outbox.

A message is rendered when it is queued (templates/email/<name>.html + .txt, in the recipient's
language; the subject is the .html template's `subject` block) and stored whole, so what the
dispatcher sends, what admins read in the app and what was decided at queue time are the same
text. Client-facing messages carry a visible unsubscribe link, RFC 8058 one-click headers and the
firm's footer; they are refused, not written, when the address is suppressed, the contact has no
consent basis or has left, or the contact-pressure budget is spent. The dispatcher checks all of
this again at send time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from advocacy.adapters.email_templates import current_settings, render_email
from advocacy.db import savepoint
from advocacy.domain import pressure
from advocacy.domain.mail import CLIENT_FACING, Category
from advocacy.domain.outbox import Recipient, Refusal, Status, idempotency_key, refusal_for
from advocacy.domain.people import ContactStatus
from advocacy.models import Contact, OutboxMessage
from advocacy.repository import outbox
from advocacy.repository.mail import suppressed_categories
from advocacy.services.access.client_links import create_link
from advocacy.settings import Settings

ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class QueueResult:
    """The outcome for the caller: queued (new or already there), or refused and why."""

    message_id: int | None
    created: bool = False
    refusal: Refusal | None = None
    detail: str = ""

    @property
    def queued(self) -> bool:
        return self.refusal is None


def budget_of(settings: Settings) -> pressure.Budget:
    return pressure.Budget(
        settings.mail_pressure_per_contact,
        settings.mail_pressure_per_account,
        settings.mail_pressure_days,
    )


def window_of(settings: Settings) -> pressure.SendWindow:
    return pressure.SendWindow.parse(
        settings.mail_send_window, settings.mail_send_weekdays, settings.mail_quiet_days
    )


def unsubscribe_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/c/unsubscribe/{token}"


def contact_pressure(
    session: Session, settings: Settings, contact: Contact, *, now: datetime
) -> pressure.Verdict:
    """May a client-facing e-mail go to `contact` now? (For planners: send now, wait, or not.)"""
    by_contact, by_account = outbox.pressure_touches(
        session,
        contact_ids=[contact.id] if contact.id else [],
        account_ids=[contact.account_id],
        since=now - budget_of(settings).period,
        now=now,
        pending=(Status.QUEUED, Status.SENDING, Status.UNKNOWN),
    )
    return pressure.assess(
        now,
        timezone=contact.timezone or settings.default_timezone,
        window=window_of(settings),
        budget=budget_of(settings),
        contact_touches=by_contact.get(contact.id or 0, []),
        account_touches=by_account.get(contact.account_id, []),
    )


def queue_email(
    session: Session,
    *,
    category: Category | str,
    template: str,
    to: str,
    contact_id: int | None = None,
    account_id: int | None = None,
    source: tuple[str, int | None] = ("", None),
    occurrence: str = "",
    context: Mapping[str, Any] | None = None,
    now: datetime,
    to_name: str = "",
    user_id: int | None = None,
    language: str | None = None,
    settings: Settings | None = None,
    service_line_id: int | None = None,
) -> QueueResult:
    """Write one e-mail to the outbox once per idempotency key, or say why it may not be sent.

    `service_line_id` names the line a nurture message introduces: its delivery and its clicks
    then move the contact's awareness of that line (services/mail/events.py).

    Flushes only: the caller's use case commits the message with the change it reports, so a
    failure after queueing leaves nothing queued (and no e-mail about something that never was).
    """
    settings = settings or current_settings()
    category = Category(category)
    email = to.strip().lower()
    source_type, source_id = source
    key = idempotency_key(category.value, email, source_type, source_id, occurrence)
    existing = outbox.message_by_key(session, key)
    if existing is not None:
        return QueueResult(existing.id, created=False)

    contact = session.get(Contact, contact_id) if contact_id is not None else None
    refusal = refusal_for(
        category,
        Recipient(
            email=email,
            suppressed_categories=frozenset(suppressed_categories(session, email)),
            has_contact=contact is not None,
            contact_active=contact is None or contact.status == ContactStatus.ACTIVE.value,
            consent_basis=contact.consent_basis if contact else "",
        ),
    )
    if refusal is not None:
        return QueueResult(None, refusal=refusal)

    next_attempt_at = now
    if category in CLIENT_FACING and contact is not None:
        account_id = account_id or contact.account_id
        verdict = contact_pressure(session, settings, contact, now=now)
        if verdict.kind is pressure.VerdictKind.REFUSED:
            return QueueResult(None, refusal=Refusal.OVER_BUDGET, detail=verdict.reason)
        if verdict.kind is pressure.VerdictKind.WAIT and verdict.at is not None:
            next_attempt_at = verdict.at  # the dispatcher would only put it back until then

    language = language or (contact.language if contact else settings.default_language)
    try:
        with savepoint(session):
            message = _build_message(
                session,
                settings,
                category=category,
                template=template,
                email=email,
                to_name=to_name,
                contact_id=contact.id if contact else contact_id,
                account_id=account_id,
                user_id=user_id,
                source=(source_type, source_id),
                key=key,
                language=language,
                context=dict(context or {}),
                now=now,
                next_attempt_at=next_attempt_at,
                service_line_id=service_line_id,
            )
            session.add(message)
            session.flush()
    except IntegrityError:
        # Another process wrote the same key between our look-up and our insert: theirs stands.
        winner = outbox.message_by_key(session, key)
        if winner is None:
            raise
        return QueueResult(winner.id, created=False)
    return QueueResult(message.id, created=True)


def _build_message(
    session: Session,
    settings: Settings,
    *,
    category: Category,
    email: str,
    contact_id: int | None,
    now: datetime,
    **fields: Any,
) -> OutboxMessage:
    """Render the message (with its own unsubscribe link when client-facing); flush only."""
    token = ""
    if category in CLIENT_FACING:
        token = create_link(
            session, purpose="unsubscribe", email=email, contact_id=contact_id, now=now
        )
    return OutboxMessage(
        **message_values(
            settings,
            token=token,
            category=category,
            email=email,
            contact_id=contact_id,
            now=now,
            **fields,
        )
    )


def message_values(
    settings: Settings,
    *,
    token: str,
    category: Category,
    template: str,
    email: str,
    to_name: str,
    contact_id: int | None,
    account_id: int | None,
    user_id: int | None,
    source: tuple[str, int | None],
    key: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
    next_attempt_at: datetime,
    service_line_id: int | None = None,
) -> dict[str, Any]:
    """The rendered message's columns (shared by `queue_email` and the bulk form); `token` is
    its unsubscribe link's, when client-facing."""
    headers: dict[str, str] = {}
    link = ""
    if token:
        link = unsubscribe_url(settings, token)
        # RFC 8058: a POST to this URL unsubscribes at once; mail clients show their own button.
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": ONE_CLICK}
    rendered = render_email(
        template,
        language,
        {
            "recipient_name": to_name,
            **context,
            "firm": {"name": settings.firm_name, "postal_address": settings.firm_postal_address},
            "unsubscribe_url": link,
        },
    )
    return {
        "idempotency_key": key,
        "category": category.value,
        "template": template,
        "language": language,
        "to_email": email,
        "to_name": to_name[:200],
        "contact_id": contact_id,
        "account_id": account_id,
        "user_id": user_id,
        "source_type": source[0],
        "source_id": source[1],
        "service_line_id": service_line_id,
        "subject": rendered.subject,
        "html_body": rendered.html,
        "text_body": rendered.text,
        "headers_json": json.dumps(headers, sort_keys=True),
        "status": Status.QUEUED.value,
        "next_attempt_at": next_attempt_at,
        "queued_at": now,
        "updated_at": now,
    }
