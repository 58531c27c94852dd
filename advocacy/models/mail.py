"""Mail aggregate: the outbox every e-mail goes through, provider events, suppressions, consent
changes, and the opaque links clients use to manage what they receive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one recipient. Written once per idempotency key; dispatched by the jobs process."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_sent_at", "sent_at"),  # /healthz: mail sent with no event since
    )

    id: int | None = Field(default=None, primary_key=True)
    # purpose + recipient + source object + occurrence: writing the same key twice is a no-op.
    idempotency_key: str = Field(max_length=255, unique=True)
    category: str = Field(max_length=30, index=True)  # transactional | nurture | survey | ...
    template: str = Field(max_length=80)
    language: str = Field(default="en", max_length=8)
    to_email: str = Field(max_length=254, index=True)
    to_name: str = Field(default="", max_length=200)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    source_type: str = Field(default="", max_length=40)
    source_id: int | None = Field(default=None)
    # The service line this message introduces (nurture): its delivery and clicks move the
    # contact's awareness of that line.
    service_line_id: int | None = Field(default=None, foreign_key="service_lines.id")
    subject: str = Field(max_length=300)
    html_body: str = Field(sa_column=Column(Text, nullable=False))
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    # JSON object of extra headers (List-Unsubscribe...).
    headers_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # queued | sending | sent | unknown | failed | suppressed | cancelled
    status: str = Field(default="queued", max_length=12)
    # Last delivery event from the provider: delivered, bounce, open...
    delivery: str = Field(default="", max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_owner: str = Field(default="", max_length=100)
    lease_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # When the lease holder started this message's request, committed just before it left (with
    # the next few of its batch); cleared at each claim. A message claimed but never about to go
    # returns to the queue when the lease ends; only one marked may have reached the provider.
    send_started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    provider_message_id: str = Field(default="", max_length=100, index=True)
    error: str = Field(default="", max_length=1000)
    queued_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class MailEvent(SQLModel, table=True):
    """An event from the provider's webhook, stored first and processed after."""

    __tablename__ = "mail_events"

    id: int | None = Field(default=None, primary_key=True)
    provider_event_id: str = Field(max_length=100, unique=True)  # SendGrid's sg_event_id
    message_id: int | None = Field(default=None, foreign_key="outbox_messages.id", index=True)
    event: str = Field(max_length=30)
    email: str = Field(default="", max_length=254)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    processed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))


class Suppression(SQLModel, table=True):
    """An address that must not receive a category of mail ("all" for every client-facing one)."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("email", "category", name="uq_suppression"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    category: str = Field(max_length=30)
    reason: str = Field(max_length=30)  # bounce | dropped | spamreport | unsubscribe | manual
    source: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ConsentChange(SQLModel, table=True):
    """Append-only record of what a client agreed to or withdrew, when, and through which link."""

    __tablename__ = "consent_changes"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    email: str = Field(max_length=254, index=True)
    category: str = Field(max_length=30)
    action: str = Field(max_length=20)  # unsubscribe | resubscribe | consent | withdraw
    via: str = Field(max_length=30)  # one_click | preference_page | webhook | staff
    link_id: int | None = Field(default=None, foreign_key="client_links.id")
    detail: str = Field(default="", max_length=500)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ClientLink(SQLModel, table=True):
    """An opaque link a client uses without signing in. Only a hash of the token is kept."""

    __tablename__ = "client_links"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=128, unique=True)
    purpose: str = Field(max_length=30)  # unsubscribe | preferences | survey | testimonial ...
    email: str = Field(max_length=254)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
