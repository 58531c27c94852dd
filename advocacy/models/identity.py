"""Staff identity aggregate: users and the external identities linked to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=32)
    language: str | None = Field(default=None, max_length=8)
    timezone: str | None = Field(default=None, max_length=64)


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    active: bool = Field(default=True)
    # Null until the person sets a password (invited) or when they only sign in through OIDC.
    password_hash: str | None = Field(default=None, max_length=255)
    # Bumped when access changes (deactivation, role, password) and at sign-out: sessions carrying
    # an older value end at their next request.
    session_epoch: int = Field(default=0)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    invited_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    invited_by_id: int | None = Field(default=None, foreign_key="users.id")
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    deactivated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The daily e-mail of due and overdue check-ins; each person may turn it off.
    check_in_digest: bool = Field(default=True)


class UserPublic(UserBase):
    id: int
    active: bool


class OidcIdentity(SQLModel, table=True):
    """A (issuer, subject) pair from an OpenID Connect provider, linked to one user."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_oidc_issuer_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=254)
    linked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
