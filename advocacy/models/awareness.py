"""Awareness aggregate: what each client knows the firm for, per contact and per account.

Its own aggregate rather than part of the catalogue: the catalogue says what the firm sells and
changes by hand; awareness is derived from the evidence (engagements, touchpoints, mail events),
written only by the nurture capability, and can be rebuilt from that evidence at any time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.domain.awareness import Awareness
from advocacy.models.types import UTCDateTime


class ContactLineAwareness(SQLModel, table=True):
    """How far one contact has come to know one service line (no row: unaware)."""

    __tablename__ = "contact_line_awareness"
    __table_args__ = (
        UniqueConstraint("contact_id", "service_line_id", name="uq_contact_line_awareness"),
        Index("ix_contact_line_awareness_account", "account_id", "service_line_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    service_line_id: int = Field(foreign_key="service_lines.id", index=True, ondelete="CASCADE")
    state: str = Field(default=Awareness.UNAWARE.value, max_length=12)
    introduced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    engaged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    bought_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AccountLineAwareness(SQLModel, table=True):
    """An account's awareness of one line: the strongest of its contacts', and what the account
    itself did (an engagement won with nobody named on it still means the account bought)."""

    __tablename__ = "account_line_awareness"
    __table_args__ = (
        UniqueConstraint("account_id", "service_line_id", name="uq_account_line_awareness"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    service_line_id: int = Field(foreign_key="service_lines.id", index=True, ondelete="CASCADE")
    state: str = Field(default=Awareness.UNAWARE.value, max_length=12, index=True)
    introduced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    engaged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    bought_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
