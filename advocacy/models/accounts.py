"""Account aggregate: the client organisation, its team, and its journey history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema
from sqlalchemy import Column, Index, UniqueConstraint, func, text
from sqlmodel import AutoString, Field, SQLModel

from advocacy.domain.journey import Camp, Stage
from advocacy.models.fields import Country, LongText, Name, OptionalId, Text
from advocacy.models.types import UTCDateTime

SIZE_BANDS = ("", "1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
Industry = Annotated[Text, StringConstraints(max_length=80)]


def _size_band(value: str) -> str:
    if value not in SIZE_BANDS:
        raise ValueError("expected one of " + ", ".join(band for band in SIZE_BANDS if band))
    return value


SizeBand = Annotated[
    Text, AfterValidator(_size_band), WithJsonSchema({"type": "string", "enum": list(SIZE_BANDS)})
]


class AccountBase(SQLModel):
    name: Name = Field(max_length=200, index=True)
    industry: Industry = Field(default="", max_length=80, index=True)
    size_band: SizeBand = Field(default="", max_length=20)
    country: Country = Field(default="", max_length=2)
    notes: LongText = Field(default="", max_length=10000)
    external_id: OptionalId = Field(default=None, unique=True, sa_type=AutoString(length=100))


class Account(AccountBase, table=True):
    __tablename__ = "accounts"
    # The accounts list's order (name regardless of case, then id): an index lets a page far
    # down the list be read in order instead of sorting every account for each request.
    __table_args__ = (Index("ix_accounts_name_order", func.lower(text("name")), "id"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    stage: str = Field(default=Stage.PROSPECT.value, max_length=16, index=True)
    stage_since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    camp: str = Field(default=Camp.UNKNOWN.value, max_length=16, index=True)
    camp_reason: str = Field(default="", max_length=500)
    # Set when the camp is bad or a person asked: every advocacy feature must skip the account.
    do_not_ask: bool = Field(default=False)
    source: str = Field(default="manual", max_length=20)
    # Check-in rhythm of this account when it differs from its stage's (None: the stage decides),
    # a pause, and the date chosen for the next check-in when the last one was completed.
    check_in_every_days: int | None = Field(default=None)
    check_ins_paused_until: date | None = Field(default=None)
    next_check_in_on: date | None = Field(default=None)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AccountCreate(AccountBase):
    owner_id: int | None = None
    stage: Stage = Stage.PROSPECT


class AccountUpdate(SQLModel):
    name: Name | None = None
    industry: Industry | None = None
    size_band: SizeBand | None = None
    country: Country | None = None
    notes: LongText | None = None
    external_id: OptionalId = None
    owner_id: int | None = None


class AccountPublic(AccountBase):
    id: int
    owner_id: int | None
    stage: Stage
    stage_since: datetime
    camp: Camp
    do_not_ask: bool
    source: str
    created_at: datetime
    updated_at: datetime


class AccountTeamMember(SQLModel, table=True):
    """Staff who work on an account besides its owner (they may edit it too)."""

    __tablename__ = "account_team_members"
    __table_args__ = (UniqueConstraint("account_id", "user_id", name="uq_account_team_member"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True)


class StageChange(SQLModel, table=True):
    """Append-only history of an account's journey stage."""

    __tablename__ = "stage_changes"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    from_stage: str | None = Field(default=None, max_length=16)
    to_stage: str = Field(max_length=16)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reason: str = Field(default="", max_length=500)
    by_user_id: int | None = Field(default=None, foreign_key="users.id")
    rule: str | None = Field(default=None, max_length=60)
