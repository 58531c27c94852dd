"""check-ins, calendar feeds, per-account cadence overrides, digest preference

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("open_for_account_id", sa.Integer(), nullable=True),
        sa.Column("talking_points_json", sa.Text(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("next_step", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("skip_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoints.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_for_account_id"),
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_ins_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "ix_check_ins_owner_status_due", ["owner_id", "status", "due_on"], unique=False
        )

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        sa.UniqueConstraint("user_id"),
    )

    # Plain ADD COLUMN (nullable, or with a server default) so SQLite needs no table rebuild.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_in_every_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("check_ins_paused_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("next_check_in_on", sa.Date(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("check_in_digest", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("check_in_digest")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("next_check_in_on")
        batch_op.drop_column("check_ins_paused_until")
        batch_op.drop_column("check_in_every_days")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_owner_status_due")
        batch_op.drop_index(batch_op.f("ix_check_ins_account_id"))
    op.drop_table("check_ins")
