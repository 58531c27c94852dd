"""Operations aggregate: what the jobs process reports about itself."""

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
