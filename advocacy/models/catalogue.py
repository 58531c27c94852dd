"""Service catalogue aggregate: what the firm sells, and where each service line matters most."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.fields import LongText, Name
from advocacy.models.types import UTCDateTime


class ServiceLineBase(SQLModel):
    name: Name = Field(max_length=120, unique=True)
    description: LongText = Field(default="", max_length=2000)
    active: bool = Field(default=True)


class ServiceLine(ServiceLineBase, table=True):
    __tablename__ = "service_lines"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ServiceLineCreate(ServiceLineBase):
    pass


class ServiceLineUpdate(SQLModel):
    name: Name | None = None
    description: LongText | None = None
    active: bool | None = None


class ServiceLinePublic(ServiceLineBase):
    id: int


class ServiceLineIndustry(SQLModel, table=True):
    """How relevant a service line is to an industry (1 low - 5 high), for nurture and asks."""

    __tablename__ = "service_line_industries"
    __table_args__ = (UniqueConstraint("service_line_id", "industry", name="uq_line_industry"),)

    id: int | None = Field(default=None, primary_key=True)
    service_line_id: int = Field(foreign_key="service_lines.id", index=True, ondelete="CASCADE")
    industry: str = Field(max_length=80)
    relevance: int = Field(default=3, ge=1, le=5)
