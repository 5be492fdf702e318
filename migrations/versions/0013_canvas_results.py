"""Canvas's results as read back through AGS, the grades instructors kept from Canvas, and
prompts following points changed in Canvas

Revision ID: 0013_canvas_results
Revises: 0015_placements
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_canvas_results"
down_revision = "0015_placements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canvas_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=255), nullable=False),
        sa.Column("lineitem_url", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kept_score", sa.Float(), nullable=True),
        sa.Column("kept_maximum", sa.Float(), nullable=True),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_canvas_result_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_canvas_result_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canvas_result")),
        sa.UniqueConstraint(
            "course_id", "person_id", "subject_key", name=op.f("uq_canvas_result_course_id")
        ),
    )
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points_followed_from", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("points_followed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_column("points_followed_at")
        batch_op.drop_column("points_followed_from")
    op.drop_table("canvas_result")
