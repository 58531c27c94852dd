"""Nurture results for every campaign at once: the campaign page's funnel counts
(`read_models.campaigns.counts`), grouped by campaign in five statements whatever the number of
campaigns or enrolments, narrowed to the enrolments the filters keep."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from advocacy.domain.analytics.figures import AnalyticsFilters
from advocacy.domain.campaigns import CampaignStatus, EnrolmentStatus, StepOutcome
from advocacy.models import Campaign, Enrolment, MailEvent, OutboxMessage, StepRecord
from advocacy.repository.analytics.scope import account_conditions, period_bounds, period_conditions
from advocacy.repository.read_models.campaigns import MAIL_EVENTS, CampaignCounts


def _kept_enrolments(filters: AnalyticsFilters) -> Any:
    """Enrolments of the kept accounts, enrolled within the period."""
    start, end = period_bounds(filters)
    return select(Enrolment.id).where(
        *account_conditions(Enrolment.account_id, filters),
        *period_conditions(Enrolment.enrolled_at, start, end),
    )


def campaign_names(session: Session) -> list[tuple[int, str]]:
    """Every campaign that has left its draft, oldest first."""
    rows = session.exec(
        select(Campaign.id, Campaign.name)
        .where(Campaign.status != CampaignStatus.DRAFT.value)
        .order_by(col(Campaign.id))
    )
    return [(campaign_id, name) for campaign_id, name in rows if campaign_id is not None]


def counts_by_campaign(session: Session, filters: AnalyticsFilters) -> dict[int, CampaignCounts]:
    """Per campaign, its funnel counts over the enrolments the filters keep."""
    kept = _kept_enrolments(filters)
    found: dict[int, CampaignCounts] = {}

    def of(campaign_id: int) -> CampaignCounts:
        return found.setdefault(campaign_id, CampaignCounts())

    for campaign_id, status, reason, number in session.exec(
        select(Enrolment.campaign_id, Enrolment.status, Enrolment.stop_reason, func.count())
        .where(col(Enrolment.id).in_(kept))
        .group_by(col(Enrolment.campaign_id), col(Enrolment.status), col(Enrolment.stop_reason))
    ):
        counts = of(campaign_id)
        counts.enrolled += number
        if status == EnrolmentStatus.ACTIVE.value:
            counts.active += number
        elif status == EnrolmentStatus.COMPLETED.value:
            counts.completed += number
        elif reason:
            counts.stopped[reason] = counts.stopped.get(reason, 0) + number
    for campaign_id, held_reason, outcome, number in session.exec(
        select(StepRecord.campaign_id, StepRecord.held_reason, StepRecord.outcome, func.count())
        .where(col(StepRecord.enrolment_id).in_(kept))
        .group_by(col(StepRecord.campaign_id), col(StepRecord.held_reason), col(StepRecord.outcome))
    ):
        counts = of(campaign_id)
        if outcome == StepOutcome.DONE.value:
            counts.planned += number
        elif held_reason:
            counts.held_back[held_reason] = counts.held_back.get(held_reason, 0) + number
    for campaign_id, status, number in session.exec(
        select(StepRecord.campaign_id, OutboxMessage.status, func.count())
        .join(OutboxMessage, col(OutboxMessage.id) == StepRecord.outbox_message_id)
        .where(col(StepRecord.enrolment_id).in_(kept))
        .group_by(col(StepRecord.campaign_id), col(OutboxMessage.status))
    ):
        counts = of(campaign_id)
        counts.emails += number
        if status == "sent":
            counts.sent += number
    for campaign_id, event, number in session.exec(
        select(
            StepRecord.campaign_id, MailEvent.event, func.count(func.distinct(MailEvent.message_id))
        )
        .join(MailEvent, col(MailEvent.message_id) == StepRecord.outbox_message_id)
        .where(col(StepRecord.enrolment_id).in_(kept), col(MailEvent.event).in_(MAIL_EVENTS))
        .group_by(col(StepRecord.campaign_id), col(MailEvent.event))
    ):
        counts = of(campaign_id)
        if event == "delivered":
            counts.delivered = number
        elif event == "open":
            counts.opened = number
        else:
            counts.clicked = number
    return found
