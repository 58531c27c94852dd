"""nurture campaigns: saved segments, campaigns and their steps, enrolments of contacts, and the
record of each step carried out (or held back) for each enrolment

Revision ID: 0013_campaigns
Revises: 0012_scoring
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import advocacy.models.types

revision: str = "0013_campaigns"
down_revision: str | None = "0012_scoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "nurture_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("criteria_json", sa.Text(), nullable=False),
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
    with op.batch_alter_table("nurture_segments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nurture_segments_name"), ["name"], unique=False)

    op.create_table(
        "nurture_campaigns",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("reenter_after_days", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["nurture_segments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("nurture_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nurture_campaigns_segment_id"), ["segment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nurture_campaigns_status"), ["status"], unique=False)

    op.create_table(
        "nurture_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_position", sa.Integer(), nullable=True),
        sa.Column("next_due_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("stop_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("stopped_at", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["campaign_id"], ["nurture_campaigns.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "contact_id", "occurrence", name="uq_nurture_enrolment"),
    )
    with op.batch_alter_table("nurture_enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nurture_enrolments_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nurture_enrolments_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_nurture_enrolments_due", ["campaign_id", "status", "next_due_at"], unique=False
        )

    op.create_table(
        "nurture_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("wait_days", sa.Integer(), nullable=True),
        sa.Column("wait_until", sa.Date(), nullable=True),
        sa.Column("content_item_id", sa.Integer(), nullable=True),
        sa.Column("ask_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("task_text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["nurture_campaigns.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["content_item_id"],
            ["content_items.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "position", name="uq_nurture_step"),
    )
    with op.batch_alter_table("nurture_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nurture_steps_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "nurture_step_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("service_line_id", sa.Integer(), nullable=True),
        sa.Column("content_item_id", sa.Integer(), nullable=True),
        sa.Column("reason_json", sa.Text(), nullable=False),
        sa.Column("held_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("held_detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("held_until", advocacy.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("at", advocacy.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["nurture_campaigns.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["content_item_id"],
            ["content_items.id"],
        ),
        sa.ForeignKeyConstraint(["enrolment_id"], ["nurture_enrolments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_line_id"],
            ["service_lines.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enrolment_id", "position", name="uq_nurture_step_record"),
    )
    with op.batch_alter_table("nurture_step_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nurture_step_records_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nurture_step_records_outbox_message_id"),
            ["outbox_message_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_nurture_step_records_outcome"), ["outcome"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("nurture_step_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nurture_step_records_outcome"))
        batch_op.drop_index(batch_op.f("ix_nurture_step_records_outbox_message_id"))
        batch_op.drop_index(batch_op.f("ix_nurture_step_records_campaign_id"))

    op.drop_table("nurture_step_records")
    with op.batch_alter_table("nurture_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nurture_steps_campaign_id"))

    op.drop_table("nurture_steps")
    with op.batch_alter_table("nurture_enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_nurture_enrolments_due")
        batch_op.drop_index(batch_op.f("ix_nurture_enrolments_contact_id"))
        batch_op.drop_index(batch_op.f("ix_nurture_enrolments_account_id"))

    op.drop_table("nurture_enrolments")
    with op.batch_alter_table("nurture_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nurture_campaigns_status"))
        batch_op.drop_index(batch_op.f("ix_nurture_campaigns_segment_id"))

    op.drop_table("nurture_campaigns")
    with op.batch_alter_table("nurture_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nurture_segments_name"))

    op.drop_table("nurture_segments")
