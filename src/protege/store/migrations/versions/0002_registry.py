"""registry: model versions, aliases, and the event log of gates and route changes

Revision ID: 0002_registry
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_registry"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(400), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("base_model", sa.String(400), nullable=False),
        sa.Column("base_sha256", sa.String(64)),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("gguf_path", sa.Text),
        sa.Column("gguf_sha256", sa.String(64)),
        sa.Column("dataset_hash", sa.String(64), nullable=False),
        sa.Column("n_train", sa.Integer, nullable=False),
        sa.Column("train_config", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON),
        sa.Column("eval_report", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("site", "version", name="uq_model_versions_site_version"),
    )
    op.create_table(
        "site_aliases",
        sa.Column("site", sa.String(400), primary_key=True),
        sa.Column("alias", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("from_value", sa.String(64)),
        sa.Column("to_value", sa.String(64)),
        sa.Column("reason", sa.Text),
        sa.Column("numbers", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_events_site", "events", ["site", "id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("site_aliases")
    op.drop_table("model_versions")
