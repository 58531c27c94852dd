"""content library: items marketing offers clients, with the service lines they introduce and
the industries and journey stages they suit

Revision ID: 0011_content
Revises: 0010_awareness
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0011_content"
down_revision: str | None = "0010_awareness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "content_items",
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_items_archived"), ["archived"], unique=False)
        batch_op.create_index(batch_op.f("ix_content_items_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_content_items_language"), ["language"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_content_items_valid_until"), ["valid_until"], unique=False
        )

    op.create_table(
        "content_item_industries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_item_id", sa.Integer(), nullable=False),
        sa.Column("industry", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("industry_key", sqlmodel.sql.sqltypes.AutoString(length=240), nullable=False),
        sa.ForeignKeyConstraint(["content_item_id"], ["content_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_item_id", "industry_key", name="uq_content_item_industry"),
    )
    with op.batch_alter_table("content_item_industries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_item_industries_content_item_id"),
            ["content_item_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_content_item_industries_industry_key"), ["industry_key"], unique=False
        )

    op.create_table(
        "content_item_service_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_item_id", sa.Integer(), nullable=False),
        sa.Column("service_line_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["content_item_id"], ["content_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["service_line_id"],
            ["service_lines.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_item_id", "service_line_id", name="uq_content_item_line"),
    )
    with op.batch_alter_table("content_item_service_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_item_service_lines_content_item_id"),
            ["content_item_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_content_item_service_lines_service_line_id"),
            ["service_line_id"],
            unique=False,
        )

    op.create_table(
        "content_item_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_item_id", sa.Integer(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["content_item_id"], ["content_items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_item_id", "stage", name="uq_content_item_stage"),
    )
    with op.batch_alter_table("content_item_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_item_stages_content_item_id"), ["content_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_content_item_stages_stage"), ["stage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("content_item_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_item_stages_stage"))
        batch_op.drop_index(batch_op.f("ix_content_item_stages_content_item_id"))

    op.drop_table("content_item_stages")
    with op.batch_alter_table("content_item_service_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_item_service_lines_service_line_id"))
        batch_op.drop_index(batch_op.f("ix_content_item_service_lines_content_item_id"))

    op.drop_table("content_item_service_lines")
    with op.batch_alter_table("content_item_industries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_item_industries_industry_key"))
        batch_op.drop_index(batch_op.f("ix_content_item_industries_content_item_id"))

    op.drop_table("content_item_industries")
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_items_valid_until"))
        batch_op.drop_index(batch_op.f("ix_content_items_language"))
        batch_op.drop_index(batch_op.f("ix_content_items_kind"))
        batch_op.drop_index(batch_op.f("ix_content_items_archived"))

    op.drop_table("content_items")
