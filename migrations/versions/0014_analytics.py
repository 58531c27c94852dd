"""analytics: the stored answer of each analytics question's default view, per language

Revision ID: 0014_analytics
Revises: 0013_campaigns
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0014_analytics"
down_revision: str | None = "0013_campaigns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_answers",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("computed_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("slug", "locale"),
    )


def downgrade() -> None:
    op.drop_table("analytics_answers")
