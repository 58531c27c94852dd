"""Consent use cases: the one-click unsubscribe, the preference page, staff's manual suppressions,
and the suppression rows every withdrawal (link, webhook, staff) goes through. Rules live in
advocacy.domain.consent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from advocacy import repository
from advocacy.domain import consent
from advocacy.domain.audit import Action, client_link_actor
from advocacy.domain.errors import RuleError
from advocacy.domain.identity import normalise_email
from advocacy.domain.mail import ALL, CLIENT_FACING, Category
from advocacy.domain.text import N_
from advocacy.models import ClientLink, ConsentChange, Contact, OutboxMessage, Suppression, User
from advocacy.repository import audit
from advocacy.repository.mail import suppression_rows
from advocacy.services.access.client_links import resolve_link

UNSUBSCRIBE_PURPOSE = "unsubscribe"
MAX_EMAIL_LENGTH = 254
# Short enough that "manual suppression added by <address>: <reason>" fits a consent change.
MAX_MANUAL_REASON_LENGTH = 200


@dataclass(frozen=True)
class Recipient:
    """Who an unsubscribe link speaks for, and what they receive now."""

    link_id: int
    email: str
    contact_id: int | None
    language: str | None
    allowed: frozenset[Category]
    # Categories only staff or a new address can restore (bounce, spam report, manual block).
    held: frozenset[Category]


def blocks_of(session: Session, email: str) -> dict[str, str]:
    return {category: row.reason for category, row in suppression_rows(session, email).items()}


def apply_blocks(
    session: Session, email: str, after: consent.Blocks, *, source: str, now: datetime
) -> consent.BlockChanges:
    """Write the suppression rows for `after` (helper: flushes only)."""
    email = email.lower()
    rows = suppression_rows(session, email)
    found = consent.changes({c: r.reason for c, r in rows.items()}, after)
    for category in found.remove:
        session.delete(rows[category])
    for category, reason in found.upsert.items():
        row = rows.get(category)
        if row is None:
            session.add(
                Suppression(
                    email=email,
                    category=category,
                    reason=reason,
                    source=source[:200],
                    created_at=now,
                )
            )
        else:  # a stronger reason replaces a weaker one: the row keeps its first date
            row.reason, row.source = reason, source[:200]
    session.flush()
    return found


def record_consent(
    session: Session,
    *,
    email: str,
    category: str,
    action: str,
    via: str,
    now: datetime,
    contact_id: int | None = None,
    link_id: int | None = None,
    detail: str = "",
    by: User | None = None,
) -> None:
    """Append one consent change, and its audit entry (helper: flushes only)."""
    if by is not None:
        actor = audit.user_actor(by)
    elif link_id is not None:
        actor = client_link_actor(contact_id)
    else:
        actor = None  # the job (SendGrid events) or command at work
    # The address stays in the consent history; the log names the contact only, when known.
    audit.record(
        session,
        Action.CONSENT_CHANGED,
        actor=actor,
        subject=("contact", contact_id) if contact_id is not None else None,
        details={"categories": category, "status": action, "source": via},
        now=now,
    )
    session.add(
        ConsentChange(
            contact_id=contact_id,
            email=email.lower(),
            category=category,
            action=action,
            via=via,
            link_id=link_id,
            detail=detail[:500],
            at=now,
        )
    )
    session.flush()


def _language(session: Session, link: ClientLink) -> str | None:
    if link.contact_id is not None:
        contact = session.get(Contact, link.contact_id)
        if contact is not None:
            return contact.language
    if link.object_type == "outbox_message" and link.object_id is not None:
        message = session.get(OutboxMessage, link.object_id)
        if message is not None:
            return message.language
    return None


def _recipient(session: Session, link: ClientLink) -> Recipient:
    blocks = blocks_of(session, link.email)
    allowed = consent.allowed_categories(blocks)
    liftable = consent.allowed_categories(consent.choose(blocks, CLIENT_FACING))
    return Recipient(
        link_id=link.id or 0,
        email=link.email,
        contact_id=link.contact_id,
        language=_language(session, link),
        allowed=allowed,
        held=frozenset(CLIENT_FACING - liftable),
    )


def recipient_for(session: Session, token: str, *, now: datetime) -> Recipient | None:
    """The recipient behind an unsubscribe link, or None for an unknown or expired link."""
    link = resolve_link(session, token, purpose=UNSUBSCRIBE_PURPOSE, now=now)
    return _recipient(session, link) if link is not None else None


def _commit_retrying(session: Session, change: Callable[[], None]) -> None:
    # Two clicks at once can both insert the same (email, category) row; the second attempt then
    # sees the first one's row and has nothing left to insert.
    for attempt in range(2):
        try:
            change()
            session.commit()
            return
        except IntegrityError:
            session.rollback()
            if attempt:
                raise


def unsubscribe_all(
    session: Session, token: str, *, via: str = "one_click", now: datetime
) -> Recipient | None:
    """Stop every client-facing category for the link's address at once, and record it."""
    link = resolve_link(session, token, purpose=UNSUBSCRIBE_PURPOSE, now=now)
    if link is None:
        return None

    def change() -> None:
        blocks = blocks_of(session, link.email)
        apply_blocks(
            session,
            link.email,
            consent.withdraw(blocks, ALL, consent.Reason.UNSUBSCRIBE),
            source=f"{via} link {link.id}",
            now=now,
        )
        # Recorded even when nothing changed: the client's own request is what consent is made of.
        record_consent(
            session,
            email=link.email,
            category=ALL,
            action="unsubscribe",
            via=via,
            now=now,
            contact_id=link.contact_id,
            link_id=link.id,
        )
        link.used_at = link.used_at or now

    _commit_retrying(session, change)
    return _recipient(session, link)


@dataclass(frozen=True)
class PreferencesSaved:
    recipient: Recipient
    changed: bool
    still_held: frozenset[Category]  # asked for, but blocked by something the client cannot lift


def set_preferences(
    session: Session, token: str, wanted: Iterable[Category], *, now: datetime
) -> PreferencesSaved | None:
    """Save the categories the client ticked on the preference page; record each change."""
    link = resolve_link(session, token, purpose=UNSUBSCRIBE_PURPOSE, now=now)
    if link is None:
        return None
    wanted = frozenset(wanted) & CLIENT_FACING
    result: list[consent.BlockChanges] = []

    def change() -> None:
        result.clear()
        before = blocks_of(session, link.email)
        found = apply_blocks(
            session,
            link.email,
            consent.choose(before, wanted),
            source=f"preference page link {link.id}",
            now=now,
        )
        result.append(found)
        for category in sorted(CLIENT_FACING):
            upgraded = category.value in found.upsert and category.value in before
            if category in found.withdrawn or upgraded:
                action = "unsubscribe"
            elif category in found.restored:
                action = "resubscribe"
            else:
                continue
            record_consent(
                session,
                email=link.email,
                category=category.value,
                action=action,
                via="preference_page",
                now=now,
                contact_id=link.contact_id,
                link_id=link.id,
            )
        link.used_at = link.used_at or now

    _commit_retrying(session, change)
    recipient = _recipient(session, link)
    found = result[0]
    return PreferencesSaved(
        recipient,
        changed=bool(found.withdrawn or found.restored or found.upsert),
        still_held=wanted - recipient.allowed,
    )


class NotManual(ValueError):
    """Only suppressions staff added by hand can be removed by staff."""


def remove_manual_suppression(
    session: Session, suppression_id: int, *, by: User, now: datetime
) -> Suppression:
    """Lift a block staff added by hand; anything a client or SendGrid caused stays."""
    row = repository.get_row(session, Suppression, suppression_id)
    if row.reason not in consent.LIFTABLE_BY_STAFF:
        raise NotManual(row.reason)
    blocks = blocks_of(session, row.email)
    apply_blocks(
        session,
        row.email,
        consent.lift_manual(blocks, row.category),
        source=f"staff {by.email}",
        now=now,
    )
    record_consent(
        session,
        email=row.email,
        category=row.category,
        action="lift",
        via="staff",
        now=now,
        detail=f"manual suppression removed by {by.email}",
        by=by,
    )
    session.commit()
    return row


class SuppressionRefused(RuleError):
    """A manual suppression the rules refuse; `field` names the input at fault."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


@dataclass(frozen=True)
class ManualSuppression:
    """What adding a manual suppression did: the categories newly blocked and those already held."""

    email: str
    added: frozenset[str]
    already: frozenset[str]

    @property
    def changed(self) -> bool:
        return bool(self.added)


def _suppressible_email(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_EMAIL_LENGTH:
        raise SuppressionRefused(
            "email", N_("Use at most %(max)d characters."), max=MAX_EMAIL_LENGTH
        )
    try:
        found = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise SuppressionRefused("email", N_("Enter a valid e-mail address.")) from None
    # The same form contacts store (validated, then trimmed and lower-cased), so the row matches
    # the address the send path looks up for a queued message.
    return normalise_email(found.normalized)


def _suppressible_categories(values: Iterable[str]) -> frozenset[str]:
    known = {ALL} | {category.value for category in CLIENT_FACING}
    wanted = frozenset(value.strip() for value in values)
    if not wanted:
        raise SuppressionRefused("categories", N_("Choose at least one category."))
    if not wanted <= known:
        raise SuppressionRefused("categories", N_("Choose one of the options."))
    # "all" already covers every client-facing category: one row says it.
    return frozenset({ALL}) if ALL in wanted else wanted


def _manual_reason(value: str) -> str:
    value = value.strip()
    if not value:
        raise SuppressionRefused("reason", N_("This field is required."))
    if len(value) > MAX_MANUAL_REASON_LENGTH:
        raise SuppressionRefused(
            "reason", N_("Use at most %(max)d characters."), max=MAX_MANUAL_REASON_LENGTH
        )
    return value


def add_manual_suppression(
    session: Session,
    email: str,
    categories: Iterable[str],
    *,
    reason: str,
    by: User,
    now: datetime,
) -> ManualSuppression:
    """Stop client-facing mail to an address by hand, noting who, when and why; idempotent."""
    address = _suppressible_email(email)
    wanted = _suppressible_categories(categories)
    note = _manual_reason(reason)
    result: list[ManualSuppression] = []

    def change() -> None:
        result.clear()
        before = blocks_of(session, address)
        after: consent.Blocks = before
        for category in sorted(wanted):
            # A manual block is the weakest reason: whatever already holds the category stays.
            after = consent.withdraw(after, category, consent.Reason.MANUAL)
        found = apply_blocks(session, address, after, source=f"staff {by.email}: {note}", now=now)
        added = frozenset(found.upsert)
        for category in sorted(added):
            record_consent(
                session,
                email=address,
                category=category,
                action="suppress",
                via="staff",
                now=now,
                detail=f"manual suppression added by {by.email}: {note}",
                by=by,
            )
        result.append(ManualSuppression(address, added=added, already=wanted - added))

    _commit_retrying(session, change)
    return result[0]
