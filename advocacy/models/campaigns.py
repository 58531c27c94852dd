"""Campaign aggregate: saved segments (who), campaigns and their steps (what), enrolments (a
contact's way through one campaign) and step records (what was done for one enrolment at one step).

Rules live in `domain.campaigns` and `domain.nurture_*`; these are the rows and the schemas that
validate what a person or the API sends before a use case writes it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.domain.campaigns import (
    MAX_STEPS,
    MAX_WAIT_DAYS,
    AskStepKind,
    CampaignStatus,
    Segment,
    StepKind,
    step_problem,
)
from advocacy.domain.journey import Camp, Stage
from advocacy.domain.people import BuyingRole, Seniority
from advocacy.domain.score_asks import Tier
from advocacy.models.fields import LongText, Name
from advocacy.models.types import UTCDateTime

IdSet = Annotated[list[int], PydanticField(max_length=200)]
IndustryNames = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]],
    PydanticField(max_length=100),
]


class SegmentCriteria(BaseModel):
    """The audience of a segment as people and the API send it; empty means "anyone"."""

    model_config = ConfigDict(extra="forbid")

    stages: list[Stage] = []
    camps: list[Camp] = []
    industries: IndustryNames = []
    owner_ids: IdSet = []
    bought_line_ids: IdSet = []
    not_bought_line_ids: IdSet = []
    max_typecasting_index: float | None = PydanticField(default=None, ge=0, le=1)
    buying_roles: list[BuyingRole] = []
    seniorities: list[Seniority] = []
    advocacy_tiers: list[Tier] = []
    no_human_touch_days: int | None = PydanticField(default=None, ge=0, le=3650)
    deferred_prospects: bool = False

    @model_validator(mode="after")
    def _check(self) -> SegmentCriteria:
        if set(self.bought_line_ids) & set(self.not_bought_line_ids):
            raise ValueError("a service line cannot be both bought and not bought")
        return self

    def to_segment(self) -> Segment:
        """The domain value the planner matches contacts against."""
        return Segment(
            stages=frozenset(stage.value for stage in self.stages),
            camps=frozenset(camp.value for camp in self.camps),
            industries=frozenset(self.industries),
            owner_ids=frozenset(self.owner_ids),
            bought_line_ids=frozenset(self.bought_line_ids),
            not_bought_line_ids=frozenset(self.not_bought_line_ids),
            max_typecasting_index=self.max_typecasting_index,
            buying_roles=frozenset(role.value for role in self.buying_roles),
            seniorities=frozenset(level.value for level in self.seniorities),
            advocacy_tiers=frozenset(tier.value for tier in self.advocacy_tiers),
            no_human_touch_days=self.no_human_touch_days,
            deferred_prospects=self.deferred_prospects,
        )

    def as_json(self) -> str:
        """Stored form: sorted lists, so the same audience is always the same text."""
        data: dict[str, Any] = self.model_dump(mode="json")
        for name, value in data.items():
            if isinstance(value, list):
                data[name] = sorted(value)
        return json.dumps(data, sort_keys=True)


def criteria_of(stored: str) -> SegmentCriteria:
    """The criteria of a saved segment, validated again on the way out."""
    return SegmentCriteria.model_validate_json(stored or "{}")


class SavedSegment(SQLModel, table=True):
    """A named audience campaigns reuse; its criteria are `SegmentCriteria` as JSON."""

    __tablename__ = "nurture_segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    criteria_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    def criteria(self) -> SegmentCriteria:
        return criteria_of(self.criteria_json)


class SegmentCreate(BaseModel):
    name: Name
    criteria: SegmentCriteria = SegmentCriteria()


class SegmentUpdate(BaseModel):
    name: Name | None = None
    criteria: SegmentCriteria | None = None


class CampaignBase(SQLModel):
    name: Name = Field(max_length=200)
    description: LongText = Field(default="", max_length=10000)
    # None: a contact never enters the same campaign twice; N: again N days after leaving it.
    reenter_after_days: int | None = Field(default=None, ge=1, le=3650)


class Campaign(CampaignBase, table=True):
    __tablename__ = "nurture_campaigns"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=CampaignStatus.DRAFT.value, max_length=10, index=True)
    segment_id: int = Field(foreign_key="nurture_segments.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    activated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class CampaignCreate(CampaignBase):
    segment_id: int


class CampaignUpdate(SQLModel):
    name: Name | None = None
    description: LongText | None = None
    segment_id: int | None = None
    reenter_after_days: int | None = Field(default=None, ge=1, le=3650)


class CampaignStep(SQLModel, table=True):
    """One step of a campaign at its position (1, 2, ...)."""

    __tablename__ = "nurture_steps"
    __table_args__ = (UniqueConstraint("campaign_id", "position", name="uq_nurture_step"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="nurture_campaigns.id", index=True, ondelete="CASCADE")
    position: int
    kind: str = Field(max_length=20)
    wait_days: int | None = Field(default=None)
    wait_until: date | None = Field(default=None)
    content_item_id: int | None = Field(default=None, foreign_key="content_items.id")
    ask_kind: str | None = Field(default=None, max_length=20)
    task_text: str = Field(default="", max_length=500)


class StepInput(BaseModel):
    """One step as people and the API send it; positions follow the order of the list."""

    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    wait_days: int | None = PydanticField(default=None, ge=1, le=MAX_WAIT_DAYS)
    wait_until: date | None = None
    content_item_id: int | None = None
    ask_kind: AskStepKind | None = None
    task_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""

    @model_validator(mode="after")
    def _check(self) -> StepInput:
        problem = step_problem(
            self.kind,
            wait_days=self.wait_days,
            wait_until=self.wait_until,
            content_item_id=self.content_item_id,
            ask_kind=self.ask_kind,
            task_text=self.task_text,
        )
        if problem is not None:
            raise ValueError(problem)
        return self


StepList = Annotated[list[StepInput], PydanticField(max_length=MAX_STEPS)]


class Enrolment(SQLModel, table=True):
    """One contact's way through one campaign; `occurrence` counts re-entries (1, 2, ...)."""

    __tablename__ = "nurture_enrolments"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", "occurrence", name="uq_nurture_enrolment"),
        Index("ix_nurture_enrolments_due", "campaign_id", "status", "next_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="nurture_campaigns.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", index=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    occurrence: int = Field(default=1)
    enrolled_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The next step to carry out and from when; None once the enrolment has ended.
    next_position: int | None = Field(default=1)
    next_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    status: str = Field(default="active", max_length=10)  # domain.campaigns.EnrolmentStatus
    stop_reason: str | None = Field(default=None, max_length=20)
    stopped_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    removed_by_id: int | None = Field(default=None, foreign_key="users.id")


class StepRecord(SQLModel, table=True):
    """What happened at one step for one enrolment: done (with what it sent and why) or held."""

    __tablename__ = "nurture_step_records"
    __table_args__ = (UniqueConstraint("enrolment_id", "position", name="uq_nurture_step_record"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="nurture_enrolments.id", ondelete="CASCADE")
    campaign_id: int = Field(foreign_key="nurture_campaigns.id", index=True, ondelete="CASCADE")
    position: int
    kind: str = Field(max_length=20)
    outcome: str = Field(max_length=10, index=True)  # domain.campaigns.StepOutcome
    outbox_message_id: int | None = Field(
        default=None, foreign_key="outbox_messages.id", index=True
    )
    service_line_id: int | None = Field(default=None, foreign_key="service_lines.id")
    content_item_id: int | None = Field(default=None, foreign_key="content_items.id")
    reason_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    held_reason: str | None = Field(default=None, max_length=20)
    held_detail: str = Field(default="", max_length=300)
    held_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
