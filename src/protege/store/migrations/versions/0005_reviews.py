"""reviews: a person's rubric scores for a teacher answer and a student answer to the same
inputs, one row per answer, with the label (A or B) it was shown under

Revision ID: 0005_reviews
Revises: 0004_live_outcomes
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reviews"
down_revision = "0004_live_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(400), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("teacher_call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("student_call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("reviewer", "teacher_call_id", "student_call_id", "role", name="uq_reviews_pair_role"),
    )
    op.create_index("ix_reviews_site", "reviews", ["site", "reviewer"])


def downgrade() -> None:
    op.drop_index("ix_reviews_site", "reviews")
    op.drop_table("reviews")
