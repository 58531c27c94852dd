"""Read model of a nurture campaign's results: counts by step outcome, mail event and stop rule,
what followed its touches, and the awareness records its index comparison needs. Queries only:
nothing here writes; a fixed number of statements whatever the campaign's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.awareness import Awareness, LineAwareness
from advocacy.domain.campaigns import EnrolmentStatus, StepOutcome, StopReason
from advocacy.domain.co_purchase import BUYING_STATUSES
from advocacy.domain.touchpoints import TouchpointKind
from advocacy.models import (
    Account,
    AccountLineAwareness,
    Engagement,
    Enrolment,
    MailEvent,
    OutboxMessage,
    StepRecord,
    Touchpoint,
)

# Mail events counted once per message: delivered, opened, clicked.
MAIL_EVENTS = ("delivered", "open", "click")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass
class CampaignCounts:
    """How many, per stage of the funnel, for one campaign."""

    enrolled: int = 0
    active: int = 0
    completed: int = 0
    planned: int = 0  # steps carried out (e-mails queued, asks made, tasks created)
    emails: int = 0  # of which e-mails in the outbox
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    held_back: dict[str, int] = field(default_factory=dict)  # by HoldReason
    stopped: dict[str, int] = field(default_factory=dict)  # by StopReason

    @property
    def replied(self) -> int:
        return self.stopped.get(StopReason.REPLIED.value, 0)


def counts(session: Session, campaign_id: int) -> CampaignCounts:
    """The campaign's funnel in five statements."""
    found = CampaignCounts()
    for status, reason, number in session.exec(
        select(Enrolment.status, Enrolment.stop_reason, func.count())
        .where(Enrolment.campaign_id == campaign_id)
        .group_by(col(Enrolment.status), col(Enrolment.stop_reason))
    ):
        found.enrolled += number
        if status == EnrolmentStatus.ACTIVE.value:
            found.active += number
        elif status == EnrolmentStatus.COMPLETED.value:
            found.completed += number
        elif reason:
            found.stopped[reason] = found.stopped.get(reason, 0) + number
    for outcome, held_reason, number in session.exec(
        select(StepRecord.outcome, StepRecord.held_reason, func.count())
        .where(StepRecord.campaign_id == campaign_id)
        .group_by(col(StepRecord.outcome), col(StepRecord.held_reason))
    ):
        if outcome == StepOutcome.DONE.value:
            found.planned += number
        elif held_reason:
            found.held_back[held_reason] = found.held_back.get(held_reason, 0) + number
    messages = select(StepRecord.outbox_message_id).where(
        StepRecord.campaign_id == campaign_id, col(StepRecord.outbox_message_id).is_not(None)
    )
    for status, number in session.exec(
        select(OutboxMessage.status, func.count())
        .where(col(OutboxMessage.id).in_(messages))
        .group_by(col(OutboxMessage.status))
    ):
        found.emails += number
        if status == "sent":
            found.sent = number
    by_event = dict(
        session.exec(
            select(MailEvent.event, func.count(func.distinct(MailEvent.message_id)))
            .where(col(MailEvent.message_id).in_(messages), col(MailEvent.event).in_(MAIL_EVENTS))
            .group_by(col(MailEvent.event))
        ).all()
    )
    found.delivered = by_event.get("delivered", 0)
    found.opened = by_event.get("open", 0)
    found.clicked = by_event.get("click", 0)
    return found


def first_touches(session: Session, campaign_id: int) -> dict[int, datetime]:
    """Per account, when the campaign first did something for one of its contacts."""
    rows = session.exec(
        select(Enrolment.account_id, func.min(StepRecord.at))
        .join(StepRecord, col(StepRecord.enrolment_id) == Enrolment.id)
        .where(Enrolment.campaign_id == campaign_id, StepRecord.outcome == StepOutcome.DONE.value)
        .group_by(col(Enrolment.account_id))
    )
    return {account_id: _aware(at) for account_id, at in rows if at is not None}


def followed(session: Session, campaign_id: int, since: datetime) -> tuple[list[Any], list[Any]]:
    """Meetings and engagements won, at the campaign's touched accounts, since `since`."""
    touched = (
        select(Enrolment.account_id)
        .join(StepRecord, col(StepRecord.enrolment_id) == Enrolment.id)
        .where(Enrolment.campaign_id == campaign_id, StepRecord.outcome == StepOutcome.DONE.value)
    )
    meetings = [
        (account_id, _aware(at))
        for account_id, at in session.exec(
            select(Touchpoint.account_id, Touchpoint.occurred_at).where(
                col(Touchpoint.account_id).in_(touched),
                Touchpoint.kind == TouchpointKind.MEETING.value,
                col(Touchpoint.occurred_at) > since,
            )
        )
    ]
    won = [
        (account_id, _aware(at))
        for account_id, at in session.exec(
            select(Engagement.account_id, Engagement.created_at).where(
                col(Engagement.account_id).in_(touched),
                col(Engagement.status).in_(sorted(s.value for s in BUYING_STATUSES)),
                col(Engagement.created_at) > since,
            )
        )
    ]
    return meetings, won


def index_inputs(
    session: Session, campaign_id: int
) -> tuple[set[int], dict[int, tuple[str, str]], dict[int, dict[int, LineAwareness]]]:
    """Targeted accounts; (industry, stage) of every account in the targeted accounts' groups;
    and those accounts' awareness records with their dates."""
    touched = (
        select(Enrolment.account_id)
        .join(StepRecord, col(StepRecord.enrolment_id) == Enrolment.id)
        .where(
            Enrolment.campaign_id == campaign_id,
            StepRecord.outcome == StepOutcome.DONE.value,
        )
        .distinct()
    )
    targeted = set(session.exec(touched))
    targeted_groups = set(
        session.exec(
            select(Account.industry, Account.stage).where(col(Account.id).in_(touched)).distinct()
        ).all()
    )
    industries = sorted({industry for industry, _ in targeted_groups})
    stages = sorted({stage for _, stage in targeted_groups})
    # The groups' industries and stages in SQL (a superset), the exact pairs here.
    candidates = select(Account.id).where(
        col(Account.industry).in_(industries), col(Account.stage).in_(stages)
    )
    groups: dict[int, tuple[str, str]] = {}
    for account_id, industry, stage in session.exec(
        select(Account.id, Account.industry, Account.stage).where(col(Account.id).in_(candidates))
    ):
        if account_id is not None and (industry, stage) in targeted_groups:
            groups[account_id] = (industry, stage)
    records: dict[int, dict[int, LineAwareness]] = defaultdict(dict)
    for row in session.exec(
        select(AccountLineAwareness).where(col(AccountLineAwareness.account_id).in_(candidates))
    ):
        if row.account_id in groups:
            records[row.account_id][row.service_line_id] = LineAwareness(
                row.service_line_id,
                Awareness(row.state),
                _aware(row.introduced_at) if row.introduced_at else None,
                _aware(row.engaged_at) if row.engaged_at else None,
                _aware(row.bought_at) if row.bought_at else None,
            )
    return targeted, groups, dict(records)
