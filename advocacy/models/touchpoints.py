"""Touchpoint aggregate: every interaction with an account, in time; and the journey signals
(champion moved, relationship to re-staff) raised from them."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime
from sqlalchemy import Column, Index
from sqlmodel import AutoString, Field, SQLModel

from advocacy.domain.touchpoints import Channel, Initiative, TouchpointKind, TouchpointSource
from advocacy.models.fields import LongText, OptionalId
from advocacy.models.types import UTCDateTime


class TouchpointBase(SQLModel):
    summary: LongText = Field(default="", max_length=5000)
    external_id: OptionalId = Field(default=None, unique=True, sa_type=AutoString(length=100))


class Touchpoint(TouchpointBase, table=True):
    __tablename__ = "touchpoints"
    __table_args__ = (Index("ix_touchpoints_account_time", "account_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    kind: str = Field(max_length=20)
    channel: str = Field(default="", max_length=20)
    initiative: str = Field(max_length=10)
    service_line_id: int | None = Field(default=None, foreign_key="service_lines.id")
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    source: str = Field(default=TouchpointSource.MANUAL.value, max_length=10)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class TouchpointCreate(TouchpointBase):
    kind: TouchpointKind
    initiative: Initiative
    channel: Channel | None = None
    contact_id: int | None = None
    service_line_id: int | None = None
    occurred_at: AwareDatetime


class TouchpointPublic(TouchpointBase):
    id: int
    account_id: int
    contact_id: int | None
    kind: TouchpointKind
    channel: str
    initiative: Initiative
    service_line_id: int | None
    occurred_at: datetime
    source: TouchpointSource


class JourneySignal(SQLModel, table=True):
    """Something an account manager should act on: a champion who moved, a seat to re-staff."""

    __tablename__ = "journey_signals"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, index=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    related_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    message: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
