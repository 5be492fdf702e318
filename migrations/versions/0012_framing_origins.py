"""framing origins: the pages each registration's launches vouched for

Revision ID: 0012_framing_origins
Revises: 0013_canvas_results
Create Date: 2026-11-30 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_framing_origins"
down_revision = "0013_canvas_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "framing_origin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("last_vouched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_framing_origin_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framing_origin")),
        sa.UniqueConstraint(
            "registration_id", "origin", name=op.f("uq_framing_origin_registration_id")
        ),
    )
    op.create_index(
        "ix_framing_origin_newest", "framing_origin", ["registration_id", "last_vouched_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_framing_origin_newest", table_name="framing_origin")
    op.drop_table("framing_origin")
