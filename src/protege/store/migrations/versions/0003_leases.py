"""leases: time-limited locks, so two workers never train the same call site

Revision ID: 0003_leases
Revises: 0002_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_leases"
down_revision = "0002_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(400), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
