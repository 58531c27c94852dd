"""People aggregate: a person keeps their identity when they change employer; a contact is their
position at one account."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr, StringConstraints, WithJsonSchema
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from advocacy.domain.people import BuyingRole, ConsentBasis, ContactStatus, Seniority
from advocacy.domain.time_zones import is_known_timezone, selectable_timezones
from advocacy.models.fields import Name, OptionalId, ShortText, Text
from advocacy.models.types import UTCDateTime


def _lower_or_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip().lower()
        return value or None
    return value


def _timezone(value: str) -> str:
    if value and not is_known_timezone(value):
        raise ValueError("expected a time zone such as Europe/Paris")
    return value


def _consent_basis(value: str) -> str:
    if value and value not in {basis.value for basis in ConsentBasis}:
        raise ValueError(
            "expected one of " + ", ".join(basis.value for basis in ConsentBasis) + " or empty"
        )
    return value


Basis = Annotated[
    Text,
    AfterValidator(_consent_basis),
    WithJsonSchema({"type": "string", "enum": ["", *(basis.value for basis in ConsentBasis)]}),
]
Email = Annotated[EmailStr | None, BeforeValidator(_lower_or_none)]
# The table column's SQLModel Field drops the constraints' own JSON schema: it is stated here.
Language = Annotated[
    Text,
    StringConstraints(pattern="^(en|fr)$"),
    WithJsonSchema({"type": "string", "enum": ["en", "fr"]}),
]
TimeZone = Annotated[
    Text,
    StringConstraints(max_length=64),
    AfterValidator(_timezone),
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["", *selectable_timezones()],
        }
    ),
]
Phone = Annotated[
    Text,
    StringConstraints(max_length=40, pattern=r"^[0-9+() .\-/]*$"),
    WithJsonSchema({"type": "string", "maxLength": 40, "pattern": r"^[0-9+() .\-/]*$"}),
]
Influence = Annotated[int, Field(ge=1, le=5)]


class Person(SQLModel, table=True):
    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=200, index=True)
    # Retired people stay potential advocates (alumni), not lost records.
    retired_on: date | None = Field(default=None)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ContactBase(SQLModel):
    title: ShortText = Field(default="", max_length=200)
    phone: Phone = Field(default="", max_length=40)
    language: Language = Field(default="en", max_length=8)
    timezone: TimeZone = Field(default="", max_length=64)
    consent_basis: Basis = Field(default="", max_length=30)
    consent_source: ShortText = Field(default="", max_length=200)
    started_on: date | None = Field(default=None)
    external_id: OptionalId = Field(default=None, unique=True, sa_type=AutoString(length=100))


class Contact(ContactBase, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    seniority: str = Field(default=Seniority.MANAGER.value, max_length=20)
    influence: int = Field(default=3)
    status: str = Field(default=ContactStatus.ACTIVE.value, max_length=10, index=True)
    email: str | None = Field(default=None, max_length=254, index=True)
    consent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ended_on: date | None = Field(default=None)
    # Where the person went when they left (their contact at the new account).
    moved_to_contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    # The person objected to profiling (GDPR Art. 21): never scored. When, and how it was
    # recorded (preference_page | staff).
    profiling_objected_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    profiling_objected_via: str = Field(default="", max_length=20)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ContactCreate(ContactBase):
    full_name: Name
    email: Email = None
    seniority: Seniority = Seniority.MANAGER
    influence: Influence = 3
    roles: list[BuyingRole] = []


class ContactUpdate(SQLModel):
    full_name: Name | None = None
    title: ShortText | None = None
    email: Email = None
    phone: Phone | None = None
    language: Language | None = None
    timezone: TimeZone | None = None
    seniority: Seniority | None = None
    influence: Influence | None = None
    roles: list[BuyingRole] | None = None
    consent_basis: Basis | None = None
    consent_source: ShortText | None = None


class ContactPublic(ContactBase):
    id: int
    person_id: int
    account_id: int
    full_name: str
    email: str | None
    seniority: Seniority
    influence: int
    status: ContactStatus
    roles: list[BuyingRole]
    ended_on: date | None


class ContactRole(SQLModel, table=True):
    """A buying-group role a contact plays at their account (a contact may play several)."""

    __tablename__ = "contact_roles"
    __table_args__ = (UniqueConstraint("contact_id", "role", name="uq_contact_role"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=30)
