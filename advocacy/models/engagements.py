"""Engagement aggregate: work proposed or sold to an account, its service lines and people."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints, WithJsonSchema, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from advocacy.domain.journey import EngagementStatus
from advocacy.models.fields import Name, OptionalId, Text
from advocacy.models.types import UTCDateTime


def _no_float(value: object) -> object:
    # A JSON float is a binary approximation (0.1 + 0.2): an amount comes as text or a whole number.
    if isinstance(value, float):
        raise ValueError('send an amount as text such as "1200.50", or as a whole number')
    return value


# The table column's SQLModel Field drops the constraints' own JSON schema: it is stated here.
Currency = Annotated[
    Text,
    StringConstraints(pattern="^[A-Z]{3}$"),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"}),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    PydanticField(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 999_999_999_999},
                {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$"},
            ]
        }
    ),
]


class EngagementBase(SQLModel):
    title: Name = Field(max_length=200)
    currency: Currency = Field(default="EUR", max_length=3)
    revisit_on: date | None = Field(default=None)
    start_date: date | None = Field(default=None)
    end_date: date | None = Field(default=None)
    external_id: OptionalId = Field(default=None, unique=True, sa_type=AutoString(length=100))


class Engagement(EngagementBase, table=True):
    __tablename__ = "engagements"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    value: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    status: str = Field(default=EngagementStatus.PROPOSED.value, max_length=12, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def _dates_in_order(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValueError("the end date is before the start date")


class EngagementCreate(EngagementBase):
    status: EngagementStatus = EngagementStatus.PROPOSED
    value: Money | None = None
    service_line_ids: list[int] = []
    contact_ids: list[int] = []

    @model_validator(mode="after")
    def _check(self) -> EngagementCreate:
        _dates_in_order(self.start_date, self.end_date)
        if self.status is EngagementStatus.DEFERRED and self.revisit_on is None:
            raise ValueError("a deferred (not now) engagement needs a revisit date")
        return self


class EngagementUpdate(SQLModel):
    title: Name | None = None
    status: EngagementStatus | None = None
    value: Money | None = None
    currency: Currency | None = None
    revisit_on: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    service_line_ids: list[int] | None = None
    contact_ids: list[int] | None = None


class EngagementPublic(EngagementBase):
    id: int
    account_id: int
    status: EngagementStatus
    value: Decimal | None
    service_line_ids: list[int]
    contact_ids: list[int]


class EngagementServiceLine(SQLModel, table=True):
    __tablename__ = "engagement_service_lines"
    __table_args__ = (
        UniqueConstraint("engagement_id", "service_line_id", name="uq_engagement_line"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagements.id", index=True, ondelete="CASCADE")
    service_line_id: int = Field(foreign_key="service_lines.id", index=True)


class EngagementContact(SQLModel, table=True):
    """A person involved in an engagement (sponsor, user, procurement...)."""

    __tablename__ = "engagement_contacts"
    __table_args__ = (
        UniqueConstraint("engagement_id", "contact_id", name="uq_engagement_contact"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagements.id", index=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", index=True, ondelete="CASCADE")
