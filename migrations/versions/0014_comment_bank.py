"""comment bank: comments kept per course for reuse in feedback

Revision ID: 0014_comment_bank
Revises: 0012_prompt_release
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_comment_bank"
down_revision = "0012_prompt_release"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_bank_comment_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_bank_comment_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompt.id"],
            name=op.f("fk_bank_comment_prompt_id_prompt"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_comment")),
    )
    op.create_index(
        op.f("ix_bank_comment_course_id"), "bank_comment", ["course_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_bank_comment_course_id"), table_name="bank_comment")
    op.drop_table("bank_comment")
