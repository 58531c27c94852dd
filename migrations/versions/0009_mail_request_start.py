"""mail request start: the moment each outbox message's request started, under its lease; an
index on sent_at for the health check of SendGrid's events

Revision ID: 0009_mail
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advocacy.models.types

revision: str = "0009_mail"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "send_started_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index("ix_outbox_sent_at", ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_sent_at")
        batch_op.drop_column("send_started_at")
