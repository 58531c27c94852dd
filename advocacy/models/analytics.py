"""Analytics aggregate: the stored answer of each question's default view, per language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class StoredAnswer(SQLModel, table=True):
    """One question's answer for the unfiltered view, computed by the refresh job.

    Stored per language because the answer carries its translated titles and labels; the
    numbers are the same in every row of a slug."""

    __tablename__ = "analytics_answers"

    slug: str = Field(primary_key=True, max_length=60)
    locale: str = Field(primary_key=True, max_length=10)
    computed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    answer_json: str = Field(sa_column=Column(Text(), nullable=False))
