"""placed prompts learned from Canvas's line items; Canvas's assignment title

Revision ID: 0015_placements
Revises: 0011_operator_trust
Create Date: 2026-11-30 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_placements"
down_revision = "0011_operator_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placements_synced_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("canvas_title", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_column("canvas_title")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("placements_synced_at")
