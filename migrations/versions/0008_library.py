"""library: collections for proposals and decks, and the index behind the library's search

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collections_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "collection_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("testimonial_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("naming_at_add", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("logo_at_add", sa.Boolean(), nullable=False),
        sa.Column("case_study_at_add", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["collection_id"], ["collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["testimonial_id"], ["testimonials.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_id", "testimonial_id", name="uq_collection_testimonial"),
    )
    with op.batch_alter_table("collection_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_items_collection_id"), ["collection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collection_items_testimonial_id"), ["testimonial_id"], unique=False
        )

    with op.batch_alter_table("testimonial_permissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_testimonial_permissions_live",
            ["testimonial_id", "withdrawn_at", "use", "expires_on"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("testimonial_permissions", schema=None) as batch_op:
        batch_op.drop_index("ix_testimonial_permissions_live")

    with op.batch_alter_table("collection_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_items_testimonial_id"))
        batch_op.drop_index(batch_op.f("ix_collection_items_collection_id"))

    op.drop_table("collection_items")
    with op.batch_alter_table("collections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collections_updated_at"))

    op.drop_table("collections")
