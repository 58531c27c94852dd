"""awareness: what each client knows the firm for, per contact and per account and service line;
the service line a queued e-mail introduces

Revision ID: 0010_awareness
Revises: 0009_mail
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0010_awareness"
down_revision: str | None = "0009_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _dates() -> list[sa.Column]:
    return [
        sa.Column(name, advocacy.models.types.UTCDateTime(timezone=True), nullable=True)
        for name in ("introduced_at", "engaged_at", "bought_at")
    ] + [sa.Column("updated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "contact_line_awareness",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("service_line_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        *_dates(),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_line_id"], ["service_lines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id", "service_line_id", name="uq_contact_line_awareness"),
    )
    with op.batch_alter_table("contact_line_awareness", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_line_awareness_account", ["account_id", "service_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_line_awareness_service_line_id"),
            ["service_line_id"],
            unique=False,
        )

    op.create_table(
        "account_line_awareness",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("service_line_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        *_dates(),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_line_id"], ["service_lines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "service_line_id", name="uq_account_line_awareness"),
    )
    with op.batch_alter_table("account_line_awareness", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_line_awareness_service_line_id"),
            ["service_line_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_account_line_awareness_state"), ["state"], unique=False
        )

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_line_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_outbox_messages_service_line_id", "service_lines", ["service_line_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_messages_service_line_id", type_="foreignkey")
        batch_op.drop_column("service_line_id")

    with op.batch_alter_table("account_line_awareness", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_line_awareness_state"))
        batch_op.drop_index(batch_op.f("ix_account_line_awareness_service_line_id"))
    op.drop_table("account_line_awareness")

    with op.batch_alter_table("contact_line_awareness", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_line_awareness_service_line_id"))
        batch_op.drop_index("ix_contact_line_awareness_account")
    op.drop_table("contact_line_awareness")
