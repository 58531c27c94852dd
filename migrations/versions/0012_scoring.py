"""advocacy potential: each contact's current score and its daily snapshots; the objection to
profiling on the contact

Revision ID: 0012_scoring
Revises: 0011_content
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0012_scoring"
down_revision: str | None = "0011_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_scores",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("ask", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("factors_json", sa.Text(), nullable=False),
        sa.Column("computed_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id"),
    )
    with op.batch_alter_table("contact_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_scores_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_scores_tier"), ["tier"], unique=False)
        batch_op.create_index("ix_contact_scores_rank", ["score", "contact_id"], unique=False)

    op.create_table(
        "score_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id", "day", name="uq_score_snapshot_day"),
    )
    with op.batch_alter_table("score_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_snapshots_day"), ["day"], unique=False)

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "profiling_objected_at",
                advocacy.models.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "profiling_objected_via",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("profiling_objected_via")
        batch_op.drop_column("profiling_objected_at")
    with op.batch_alter_table("score_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_snapshots_day"))
    op.drop_table("score_snapshots")
    with op.batch_alter_table("contact_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_scores_rank")
        batch_op.drop_index(batch_op.f("ix_contact_scores_tier"))
        batch_op.drop_index(batch_op.f("ix_contact_scores_account_id"))
    op.drop_table("contact_scores")
