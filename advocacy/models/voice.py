"""Client voice aggregate: surveys, testimonials with per-use permissions, referrals, and
reference requests. Everything here was written or agreed to by a client through a signed link,
or is the firm's record of asking; consent is data (who agreed to what, when, through which link).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class Survey(SQLModel, table=True):
    """One NPS or CSAT survey sent to one contact, and its answer."""

    __tablename__ = "surveys"

    id: int | None = Field(default=None, primary_key=True)
    # kind + contact + engagement + trigger + occurrence: planning the same survey twice is a no-op.
    key: str = Field(max_length=200, unique=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    engagement_id: int | None = Field(default=None, foreign_key="engagements.id", index=True)
    kind: str = Field(max_length=8)  # nps | csat
    trigger: str = Field(max_length=12)  # completed | milestone | on_demand
    status: str = Field(default="planned", max_length=12)  # planned|sent|answered|expired|refused
    refusal: str = Field(default="", max_length=60)  # why it was not sent (consent, throttle...)
    score: int | None = Field(default=None)
    comment: str = Field(default="", max_length=2000)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    touchpoint_id: int | None = Field(default=None, foreign_key="touchpoints.id")
    link_id: int | None = Field(default=None, foreign_key="client_links.id")


class Testimonial(SQLModel, table=True):
    """What a client said about working with the firm, as they wrote or approved it."""

    __tablename__ = "testimonials"
    __table_args__ = (Index("ix_testimonials_status_updated", "status", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    survey_id: int | None = Field(default=None, foreign_key="surveys.id")
    origin: str = Field(max_length=10)  # client (written through a link) | interview (by staff)
    # awaiting_client | submitted | awaiting_reapproval | approved | published | withdrawn | expired
    status: str = Field(max_length=20)
    body: str = Field(sa_column=Column(Text, nullable=False))  # the text as the client approved it
    body_html: str = Field(default="", sa_column=Column(Text, nullable=False))  # sanitised render
    # The firm's edit waiting for the client's re-approval (empty when none).
    proposed_body: str = Field(default="", sa_column=Column(Text, nullable=False))
    rating: int | None = Field(default=None)  # 1-5
    display_name: str = Field(default="", max_length=200)
    display_title: str = Field(default="", max_length=200)
    display_company: str = Field(default="", max_length=200)
    logo_path: str = Field(default="", max_length=300)
    photo_path: str = Field(default="", max_length=300)
    industry: str = Field(default="", max_length=80, index=True)
    outcomes: str = Field(default="", max_length=500)  # comma-separated outcome tags
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    approved_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TestimonialServiceLine(SQLModel, table=True):
    __tablename__ = "testimonial_service_lines"
    __table_args__ = (
        UniqueConstraint("testimonial_id", "service_line_id", name="uq_testimonial_service_line"),
    )

    id: int | None = Field(default=None, primary_key=True)
    testimonial_id: int = Field(foreign_key="testimonials.id", index=True, ondelete="CASCADE")
    service_line_id: int = Field(foreign_key="service_lines.id", index=True)


class TestimonialPermission(SQLModel, table=True):
    """The current state of one use the client allowed; withdrawn or expired counts as absent."""

    __tablename__ = "testimonial_permissions"
    __table_args__ = (UniqueConstraint("testimonial_id", "use", name="uq_testimonial_use"),)

    id: int | None = Field(default=None, primary_key=True)
    testimonial_id: int = Field(foreign_key="testimonials.id", index=True, ondelete="CASCADE")
    # internal | anonymised_public | named_public | logo | case_study | reference_calls
    use: str = Field(max_length=20)
    expires_on: date | None = Field(default=None)
    granted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class PermissionChange(SQLModel, table=True):
    """Append-only record of a permission given, changed or withdrawn: the wording shown, when,
    and through which link (or which staff member recorded it)."""

    __tablename__ = "permission_changes"

    id: int | None = Field(default=None, primary_key=True)
    testimonial_id: int = Field(foreign_key="testimonials.id", index=True, ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    use: str = Field(max_length=20)
    action: str = Field(max_length=12)  # grant | withdraw | expiry
    expires_on: date | None = Field(default=None)
    wording: str = Field(sa_column=Column(Text, nullable=False))
    via: str = Field(max_length=20)  # link | staff
    link_id: int | None = Field(default=None, foreign_key="client_links.id")
    by_user_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Referral(SQLModel, table=True):
    """Someone a client introduced to the firm, and the pipeline that follows."""

    __tablename__ = "referrals"

    id: int | None = Field(default=None, primary_key=True)
    referrer_contact_id: int = Field(foreign_key="contacts.id", index=True)
    referrer_account_id: int = Field(foreign_key="accounts.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(default="", max_length=254)
    company: str = Field(max_length=200)
    note: str = Field(default="", max_length=2000)
    intro_preference: str = Field(default="", max_length=20)  # email | call | meeting | referrer
    status: str = Field(default="received", max_length=12)  # received|contacted|meeting|won|lost
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    prospect_account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True)
    prospect_contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    lost_reason: str = Field(default="", max_length=500)
    thanked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    thank_you_note: str = Field(default="", max_length=500)
    link_id: int | None = Field(default=None, foreign_key="client_links.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReferenceRequest(SQLModel, table=True):
    """A colleague's request for a client to speak with a prospect."""

    __tablename__ = "reference_requests"

    id: int | None = Field(default=None, primary_key=True)
    requested_by_id: int = Field(foreign_key="users.id", index=True)
    prospect_name: str = Field(max_length=200)
    industry: str = Field(default="", max_length=80)
    service_line_id: int | None = Field(default=None, foreign_key="service_lines.id")
    size_band: str = Field(default="", max_length=20)
    language: str = Field(default="", max_length=8)
    deadline: date | None = Field(default=None)
    notes: str = Field(default="", max_length=2000)
    status: str = Field(default="open", max_length=12)  # open | fulfilled | cancelled
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ReferenceCall(SQLModel, table=True):
    """One contact asked to take a reference call; accepted and held calls count toward the cap."""

    __tablename__ = "reference_calls"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="reference_requests.id", index=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    testimonial_id: int | None = Field(default=None, foreign_key="testimonials.id")
    status: str = Field(default="asked", max_length=12)  # asked|accepted|declined|held|cancelled
    decline_reason: str = Field(default="", max_length=500)
    outcome: str = Field(default="", max_length=2000)
    held_on: date | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    link_id: int | None = Field(default=None, foreign_key="client_links.id")
    asked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
