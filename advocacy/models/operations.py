"""Operations aggregate: what the jobs processes report about themselves, and who leads them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class SchedulerHeartbeat(SQLModel, table=True):
    """The last sign of life of a jobs process; /healthz reads the newest."""

    __tablename__ = "scheduler_heartbeats"

    name: str = Field(primary_key=True, max_length=100)
    host: str = Field(default="", max_length=255)
    pid: int = Field(default=0)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    beat_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class SchedulerLease(SQLModel, table=True):
    """Which jobs process may run the jobs: one row per lease, taken by a conditional UPDATE."""

    __tablename__ = "scheduler_leases"

    name: str = Field(primary_key=True, max_length=100)
    # The process name of the holder (as in scheduler_heartbeats); NULL once released.
    holder: str | None = Field(default=None, max_length=100)
    # Raised at every change of holder: numbers each period of leadership.
    epoch: int = Field(default=0)
    acquired_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    renewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
