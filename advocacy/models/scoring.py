"""Scoring aggregate: each contact's current advocacy score and its daily history.

Derived data: both tables are rebuilt from the evidence by the scoring capability (nightly, and
for one contact when its evidence changes), and a contact who objects to profiling has neither.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class ContactScore(SQLModel, table=True):
    """A contact's current score, tier and next best ask, with the factors that explain it."""

    __tablename__ = "contact_scores"
    __table_args__ = (Index("ix_contact_scores_rank", "score", "contact_id"),)

    contact_id: int = Field(primary_key=True, foreign_key="contacts.id", ondelete="CASCADE")
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    score: int = Field(default=0)
    tier: str = Field(max_length=12, index=True)  # domain.score_asks.Tier
    ask: str = Field(max_length=24)  # domain.score_asks.NextAsk
    reason: str = Field(max_length=24)  # domain.score_asks.Why
    # JSON: {"numbers": {...}, "factors": [{"factor": ..., "points": ..., "detail": {...}}]}
    factors_json: str = Field(sa_column=Column(Text, nullable=False))
    computed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ScoreSnapshot(SQLModel, table=True):
    """A contact's score on one recompute day: the history the contact page and the calibration
    report read."""

    __tablename__ = "score_snapshots"
    __table_args__ = (UniqueConstraint("contact_id", "day", name="uq_score_snapshot_day"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    day: date = Field(index=True)
    score: int
    tier: str = Field(max_length=12)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
