"""Audit aggregate: one row per recorded action, appended and never changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class AuditEntry(SQLModel, table=True):
    """Who did what, to what, when and from where. No foreign keys: an entry outlives the user,
    token or row it names, so it keeps their ids and a label as plain values."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_occurred_at", "occurred_at", "id"),
        Index("ix_audit_entries_action", "action", "occurred_at"),
        Index("ix_audit_entries_actor", "actor_kind", "actor_id"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # user | token | client_link | job | command_line | system
    actor_kind: str = Field(max_length=20)
    actor_id: int | None = Field(default=None)
    actor_label: str = Field(default="", max_length=254)
    address: str | None = Field(default=None, max_length=45)
    action: str = Field(max_length=60)
    subject_type: str = Field(default="", max_length=40)
    subject_id: int | None = Field(default=None)
    # A small JSON object of facts chosen per action (domain/audit.py ALLOWED_DETAILS).
    details_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
