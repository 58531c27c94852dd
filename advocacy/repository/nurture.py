"""Campaign queries: segments, campaigns, their steps, enrolments and step records.

The planner's bulk reads (the facts of a whole segment) are in `repository.nurture_facts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, delete, func, select, update

from advocacy.domain.campaigns import AskStepKind, EnrolmentStatus, Step, StepKind, StepOutcome
from advocacy.models import (
    Account,
    AccountTeamMember,
    Campaign,
    CampaignStep,
    Enrolment,
    SavedSegment,
    StepInput,
    StepRecord,
)
from advocacy.repository import get_row


def get_segment(session: Session, segment_id: int) -> SavedSegment:
    return get_row(session, SavedSegment, segment_id)


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    return get_row(session, Campaign, campaign_id)


def list_segments(session: Session) -> list[SavedSegment]:
    return list(session.exec(select(SavedSegment).order_by(col(SavedSegment.name))))


def list_campaigns(session: Session, *, status: str | None = None) -> list[Campaign]:
    query = select(Campaign).order_by(col(Campaign.created_at).desc(), col(Campaign.id).desc())
    if status is not None:
        query = query.where(Campaign.status == status)
    return list(session.exec(query))


def campaigns_touching(session: Session, user_id: int) -> list[Campaign]:
    """Campaigns with a contact enrolled at an account the user owns or is on the team of."""
    mine = select(Account.id).where(
        (col(Account.owner_id) == user_id)
        | col(Account.id).in_(
            select(AccountTeamMember.account_id).where(AccountTeamMember.user_id == user_id)
        )
    )
    touching = select(Enrolment.campaign_id).where(col(Enrolment.account_id).in_(mine))
    return list(
        session.exec(
            select(Campaign)
            .where(col(Campaign.id).in_(touching))
            .order_by(col(Campaign.created_at).desc(), col(Campaign.id).desc())
        )
    )


def step_rows(session: Session, campaign_id: int) -> list[CampaignStep]:
    return list(
        session.exec(
            select(CampaignStep)
            .where(CampaignStep.campaign_id == campaign_id)
            .order_by(col(CampaignStep.position))
        )
    )


def as_step(row: CampaignStep) -> Step:
    """The domain value of a stored step."""
    return Step(
        position=row.position,
        kind=StepKind(row.kind),
        wait_days=row.wait_days,
        wait_until=row.wait_until,
        content_item_id=row.content_item_id,
        ask_kind=AskStepKind(row.ask_kind) if row.ask_kind else None,
        task_text=row.task_text,
    )


def steps_of(session: Session, campaign_ids: Iterable[int]) -> dict[int, tuple[Step, ...]]:
    """The steps of these campaigns, in position order (one query)."""
    wanted = sorted(set(campaign_ids))
    found: dict[int, list[Step]] = {campaign_id: [] for campaign_id in wanted}
    if wanted:
        for row in session.exec(
            select(CampaignStep)
            .where(col(CampaignStep.campaign_id).in_(wanted))
            .order_by(col(CampaignStep.campaign_id), col(CampaignStep.position))
        ):
            found[row.campaign_id].append(as_step(row))
    return {campaign_id: tuple(steps) for campaign_id, steps in found.items()}


def input_as_step(position: int, data: StepInput) -> Step:
    return Step(
        position=position,
        kind=data.kind,
        wait_days=data.wait_days,
        wait_until=data.wait_until,
        content_item_id=data.content_item_id,
        ask_kind=data.ask_kind,
        task_text=data.task_text,
    )


def replace_steps(session: Session, campaign_id: int, steps: Sequence[Step]) -> None:
    """Store these steps as the campaign's whole list; flush only."""
    session.exec(delete(CampaignStep).where(col(CampaignStep.campaign_id) == campaign_id))
    session.flush()
    for step in steps:
        session.add(
            CampaignStep(
                campaign_id=campaign_id,
                position=step.position,
                kind=step.kind.value,
                wait_days=step.wait_days,
                wait_until=step.wait_until,
                content_item_id=step.content_item_id,
                ask_kind=step.ask_kind.value if step.ask_kind else None,
                task_text=step.task_text,
            )
        )
    session.flush()


def furthest_reached(session: Session, campaign_id: int) -> int:
    """The furthest position any contact has carried out or passed (0: none yet)."""
    done = session.exec(
        select(func.max(StepRecord.position)).where(
            StepRecord.campaign_id == campaign_id, StepRecord.outcome == StepOutcome.DONE.value
        )
    ).one()
    waiting = session.exec(
        select(func.max(Enrolment.next_position)).where(Enrolment.campaign_id == campaign_id)
    ).one()
    return max(done or 0, (waiting or 1) - 1)


def active_enrolment(session: Session, campaign_id: int, contact_id: int) -> Enrolment | None:
    return session.exec(
        select(Enrolment).where(
            Enrolment.campaign_id == campaign_id,
            Enrolment.contact_id == contact_id,
            Enrolment.status == EnrolmentStatus.ACTIVE.value,
        )
    ).first()


def stop_active_enrolments(
    session: Session, campaign_id: int, reason: str, *, now: datetime
) -> int:
    """Stop every active enrolment of the campaign (one statement); how many were stopped."""
    result = session.execute(
        update(Enrolment)
        .where(
            col(Enrolment.campaign_id) == campaign_id,
            col(Enrolment.status) == EnrolmentStatus.ACTIVE.value,
        )
        .values(
            status=EnrolmentStatus.STOPPED.value,
            stop_reason=reason,
            stopped_at=now,
            next_position=None,
            next_due_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def enrolment_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Enrolments of the campaign per status."""
    return {
        status: count
        for status, count in session.exec(
            select(Enrolment.status, func.count())
            .where(Enrolment.campaign_id == campaign_id)
            .group_by(col(Enrolment.status))
        )
    }


def stop_enrolment(
    enrolment: Enrolment, reason: str, *, now: datetime, by_id: int | None = None
) -> None:
    enrolment.status = EnrolmentStatus.STOPPED.value
    enrolment.stop_reason = reason
    enrolment.stopped_at = now
    enrolment.next_position = None
    enrolment.next_due_at = None
    enrolment.removed_by_id = by_id
