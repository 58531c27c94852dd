"""Check-in aggregate: the account manager's next conversation with an account, and their calendar feed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from advocacy.domain.cadence import CheckInStatus
from advocacy.models.types import UTCDateTime


class CheckIn(SQLModel, table=True):
    """One planned conversation with an account: generated from its cadence, then closed by a person."""

    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_owner_status_due", "owner_id", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    owner_id: int | None = Field(default=None, foreign_key="users.id")
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    kind: str = Field(max_length=12)
    rule: str = Field(default="", max_length=40)
    status: str = Field(default=CheckInStatus.OPEN.value, max_length=10)
    due_on: date
    # Set to the account id while the check-in is open, NULL once closed: a unique column that
    # makes "one open check-in per account" hold even with two job processes racing.
    open_for_account_id: int | None = Field(default=None, unique=True)
    talking_points_json: str = Field(default="{}", sa_column=Column(Text(), nullable=False))
    outcome: str = Field(default="", max_length=20)
    notes: str = Field(default="", max_length=5000)
    next_step: str = Field(default="", max_length=500)
    skip_reason: str = Field(default="", max_length=500)
    touchpoint_id: int | None = Field(default=None, foreign_key="touchpoints.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_by_id: int | None = Field(default=None, foreign_key="users.id")


class CalendarFeed(SQLModel, table=True):
    """A user's secret calendar address (only its hash is kept); deleting the row revokes it."""

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True)
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
