"""sample courses and walk-through links

Revision ID: 0016_sample_walkthrough
Revises: 0003_records
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_sample_walkthrough"
down_revision = "0003_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.alter_column("registration_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("sample_program", sa.String(length=50), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_course_sample_program"), ["sample_program"]
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("registration_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "walkthrough",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("program_key", sa.String(length=50), nullable=False),
        sa.Column("visitor", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walkthrough")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_walkthrough_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("walkthrough")
    op.execute("DELETE FROM person WHERE registration_id IS NULL")
    op.execute("DELETE FROM course WHERE registration_id IS NULL")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.alter_column("registration_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_course_sample_program"), type_="unique")
        batch_op.drop_column("sample_program")
        batch_op.alter_column("registration_id", existing_type=sa.Integer(), nullable=False)
