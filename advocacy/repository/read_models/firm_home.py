"""Read models for the administrator's home page: coverage gaps and overdue check-ins across
owners, and the health of the mail. A fixed handful of statements whatever the firm's size.
Queries only: nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from advocacy.domain.cadence import CheckInStatus
from advocacy.domain.people import (
    BuyingRole,
    ContactStatus,
    CoverageGap,
    GroupCoverage,
    gaps_in_coverage,
)
from advocacy.models import (
    Account,
    CheckIn,
    Contact,
    ContactRole,
    MailEvent,
    OutboxMessage,
    SchedulerHeartbeat,
    Suppression,
    User,
)

_ROLES = {role.value: role for role in BuyingRole}
# Provider events that mean an address could not receive the message at all.
UNDELIVERABLE_EVENTS = ("bounce", "dropped")


@dataclass(frozen=True)
class GappedAccount:
    account_id: int
    account_name: str
    owner_id: int | None
    gaps: list[CoverageGap]


@dataclass(frozen=True)
class OwnerOverdue:
    owner_id: int | None
    count: int
    oldest_due_on: date


@dataclass(frozen=True)
class MailFigures:
    """What the outbox and the provider said since a moment, and the jobs process's last beat."""

    queued: int
    sent: int
    failed: int
    bounced: int
    dropped: int
    suppressions_added: int
    last_beat_at: datetime | None


def gapped_accounts(session: Session, *, owner_id: int | None = None) -> list[GappedAccount]:
    """Every account with a coverage gap (of one owner, when given), by account name, by the
    rule the account page applies.

    The buying group is summed up in the database (contacts, active ones, roles played and
    roles still held) so a firm of a hundred thousand contacts sends back a row per account and
    role rather than one per contact.
    """
    active = case((col(Contact.status) == ContactStatus.ACTIVE.value, 1), else_=0)
    mine = [] if owner_id is None else [col(Account.owner_id) == owner_id]
    groups = {
        account_id: (int(contacts), int(active_contacts or 0))
        for account_id, contacts, active_contacts in session.exec(
            select(Contact.account_id, func.count(), func.sum(active))
            .join(Account, col(Account.id) == Contact.account_id)
            .where(*mine)
            .group_by(col(Contact.account_id))
        )
    }
    roles_seen: dict[int, set[BuyingRole]] = defaultdict(set)
    roles_held: dict[int, set[BuyingRole]] = defaultdict(set)
    for account_id, role, held in session.exec(
        select(Contact.account_id, ContactRole.role, func.max(active))
        .join(Contact, col(Contact.id) == ContactRole.contact_id)
        .join(Account, col(Account.id) == Contact.account_id)
        .where(*mine)
        .group_by(col(Contact.account_id), col(ContactRole.role))
    ):
        if role in _ROLES:
            roles_seen[account_id].add(_ROLES[role])
            if held:
                roles_held[account_id].add(_ROLES[role])
    found = []
    accounts = (
        select(Account.id, Account.name, Account.owner_id)
        .where(*mine)
        .order_by(col(Account.name), col(Account.id))
    )
    for key, name, owner in session.exec(accounts):
        if key is None or key not in groups:  # no contact yet: nothing to judge
            continue
        contacts, active_contacts = groups[key]
        group = GroupCoverage(
            contacts=contacts,
            active=active_contacts,
            active_roles=frozenset(roles_held.get(key, ())),
            roles_seen=frozenset(roles_seen.get(key, ())),
        )
        gaps = gaps_in_coverage(group)
        if gaps:
            found.append(GappedAccount(key, name, owner, gaps))
    return found


def overdue_by_owner(session: Session, *, today: date) -> list[OwnerOverdue]:
    """Open check-ins due before `today`, counted per owner (None: nobody owns them)."""
    query = (
        select(CheckIn.owner_id, func.count(), func.min(CheckIn.due_on))
        .where(CheckIn.status == CheckInStatus.OPEN.value, CheckIn.due_on < today)
        .group_by(col(CheckIn.owner_id))
    )
    return [
        OwnerOverdue(owner_id, int(count), oldest)
        for owner_id, count, oldest in session.exec(query)
    ]


def names_of_users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    query = select(User).where(col(User.id).in_(sorted(ids)))
    return {user.id: user for user in session.exec(query) if user.id is not None}


def mail_figures(session: Session, *, since: datetime) -> MailFigures:
    """Mail since `since`: sent, failed, bounced, dropped, suppressed; and what waits now."""
    sent = session.exec(
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.sent_at) >= since)
    ).one()
    failed = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == "failed", col(OutboxMessage.updated_at) >= since)
    ).one()
    queued = session.exec(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")
    ).one()
    events = dict(
        session.exec(
            select(MailEvent.event, func.count())
            .where(
                col(MailEvent.event).in_(UNDELIVERABLE_EVENTS), col(MailEvent.occurred_at) >= since
            )
            .group_by(col(MailEvent.event))
        ).all()
    )
    suppressed = session.exec(
        select(func.count()).select_from(Suppression).where(col(Suppression.created_at) >= since)
    ).one()
    last_beat = session.exec(select(func.max(SchedulerHeartbeat.beat_at))).one()
    return MailFigures(
        queued=int(queued),
        sent=int(sent),
        failed=int(failed),
        bounced=int(events.get("bounce", 0)),
        dropped=int(events.get("dropped", 0)),
        suppressions_added=int(suppressed),
        last_beat_at=last_beat,
    )
