"""Integration aggregate: API bearer tokens and saved CSV column mappings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API. Only a hash of the secret is kept."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(default="", max_length=100)
    # A short public prefix shown in lists so people can tell their tokens apart.
    prefix: str = Field(max_length=16, index=True)
    secret_hash: str = Field(max_length=128, unique=True)
    scopes: str = Field(default="read", max_length=200)  # space-separated
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class ImportMapping(SQLModel, table=True):
    """A saved mapping from a CSV file's headers to our fields, reused for the next import."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_import_mapping_name"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # accounts | contacts | engagements | touchpoints
    name: str = Field(max_length=100)
    # JSON object: CSV header -> our field name (or "" to ignore the column).
    columns_json: str = Field(default="{}", max_length=20000)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
