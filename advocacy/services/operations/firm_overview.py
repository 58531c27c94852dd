"""The administrator's view of the firm: coverage gaps and overdue check-ins across owners, and
how the mail is doing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from sqlmodel import Session

from advocacy.domain.people import GapKind
from advocacy.repository.read_models.accounts import user_label
from advocacy.repository.read_models.firm_home import (
    GappedAccount,
    MailFigures,
    gapped_accounts,
    mail_figures,
    names_of_users,
    overdue_by_owner,
)

# The accounts named under each owner: the worst few, the rest are on the owner's My week.
WORST_SHOWN: Final = 3
MAIL_WINDOW: Final = timedelta(days=7)


@dataclass(frozen=True)
class OwnerGaps:
    owner_id: int | None
    owner_name: str
    accounts: int
    worst: list[GappedAccount]


@dataclass(frozen=True)
class OwnerOverdue:
    owner_id: int | None
    owner_name: str
    count: int
    oldest_due_on: date


@dataclass(frozen=True)
class MailHealth:
    since: datetime
    figures: MailFigures
    beat_stale: bool  # no heartbeat, or an old one: nothing dispatches the queue


@dataclass(frozen=True)
class FirmOverview:
    coverage: list[OwnerGaps] = field(default_factory=list)
    overdue: list[OwnerOverdue] = field(default_factory=list)
    mail: MailHealth | None = None

    @property
    def accounts_with_gaps(self) -> int:
        return sum(row.accounts for row in self.coverage)

    @property
    def overdue_total(self) -> int:
        return sum(row.count for row in self.overdue)


def _severity(account: GappedAccount) -> tuple[int, int, str]:
    # More gaps first; among equals, no decision maker is the worst a relationship can lack.
    no_decider = any(gap.kind is GapKind.NO_DECISION_MAKER for gap in account.gaps)
    return (-len(account.gaps), 0 if no_decider else 1, account.account_name.lower())


def firm_overview(
    session: Session, *, now: datetime, today: date, stale_after_s: int
) -> FirmOverview:
    """Coverage gaps per owner (worst accounts first), overdue check-ins per owner (oldest
    first) and the mail of the last seven days, for the whole firm."""
    gapped = gapped_accounts(session)
    overdue = overdue_by_owner(session, today=today)
    owner_ids = {a.owner_id for a in gapped} | {o.owner_id for o in overdue}
    users = names_of_users(session, {owner_id for owner_id in owner_ids if owner_id is not None})

    def name(owner_id: int | None) -> str:
        return user_label(users.get(owner_id)) if owner_id is not None else ""

    by_owner: dict[int | None, list[GappedAccount]] = defaultdict(list)
    for account in gapped:
        by_owner[account.owner_id].append(account)
    coverage = [
        OwnerGaps(
            owner_id, name(owner_id), len(accounts), sorted(accounts, key=_severity)[:WORST_SHOWN]
        )
        for owner_id, accounts in by_owner.items()
    ]
    coverage.sort(key=lambda row: (-row.accounts, row.owner_name.lower()))
    late = [OwnerOverdue(o.owner_id, name(o.owner_id), o.count, o.oldest_due_on) for o in overdue]
    late.sort(key=lambda row: (row.oldest_due_on, -row.count, row.owner_name.lower()))
    since = now - MAIL_WINDOW
    figures = mail_figures(session, since=since)
    stale = figures.last_beat_at is None or (
        (now - figures.last_beat_at).total_seconds() > stale_after_s
    )
    return FirmOverview(coverage, late, MailHealth(since, figures, stale))
