"""prompt release: participants see a prompt once a real learner was launched into it

Revision ID: 0012_prompt_release
Revises: 0012_framing_origins
Create Date: 2026-11-30 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_prompt_release"
down_revision = "0012_framing_origins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    # Prompts a real participant already wrote on were launched into, so they are published.
    op.execute(
        """
        UPDATE prompt SET released_at = created_at
        WHERE EXISTS (
            SELECT 1 FROM reflection
            JOIN enrollment ON enrollment.person_id = reflection.person_id
                AND enrollment.course_id = reflection.course_id
            WHERE reflection.prompt_id = prompt.id
                AND enrollment.role = 'participant'
                AND NOT enrollment.is_test_user
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_column("released_at")
