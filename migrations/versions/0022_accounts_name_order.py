"""accounts_name_order: an index in the accounts list's order (name regardless of case, then id)

Revision ID: 0022_accounts_name_order
Revises: 0021_audit_log
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_accounts_name_order"
down_revision: str | None = "0021_audit_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_accounts_name_order", "accounts", [sa.func.lower(sa.text("name")), "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_accounts_name_order", table_name="accounts")
