"""Webhooks aggregate: the endpoints the firm's other systems listen on, and the outbox of
deliveries written in the same transaction as each change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from advocacy.models.types import UTCDateTime


class WebhookEndpoint(SQLModel, table=True):
    """An address that receives signed events, with the events it wants and its scope."""

    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    events: str = Field(max_length=1000)  # comma-separated event types
    scope: str = Field(max_length=20)  # publish | internal
    # The signing secret, "whsec_" + base64; shown once to the admin who registers the endpoint.
    secret: str = Field(max_length=100)
    enabled: bool = Field(default=True)
    # Since when every attempt has failed (None: the last attempt succeeded); a day disables it.
    failing_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    disabled_reason: str = Field(default="", max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def event_types(self) -> list[str]:
        return [name for name in self.events.split(",") if name]


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: written with the change, delivered by the jobs process."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The `webhook-id` header: the same on every attempt and replay, for the receiver's
    # de-duplication.
    message_id: str = Field(max_length=80, unique=True)
    event_id: str = Field(max_length=40, index=True)  # shared by the event's deliveries
    event_type: str = Field(max_length=60)
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", ondelete="CASCADE")
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the JSON body, as signed
    status: str = Field(default="pending", max_length=12)  # pending|sending|delivered|failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_owner: str = Field(default="", max_length=100)
    lease_expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_status_code: int | None = Field(default=None)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
