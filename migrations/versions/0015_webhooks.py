"""webhooks: the endpoints that receive signed events and the outbox of their deliveries

Revision ID: 0015_webhooks
Revises: 0013_campaigns
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0015_webhooks"
down_revision: str | None = "0014_analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("events", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("failing_since", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "lease_expires_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_attempt_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("delivered_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoints.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index("ix_webhook_deliveries_endpoint", ["endpoint_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_event_id"), ["event_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
