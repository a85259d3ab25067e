"""core: call sites, routes, calls, examples

Revision ID: 0001_core
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "call_sites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("input_schema", sa.JSON, nullable=False),
        sa.Column("output_schema", sa.JSON, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.UniqueConstraint("name", "fingerprint", name="uq_call_sites_name_fingerprint"),
    )
    op.create_table(
        "site_routes",
        sa.Column("site", sa.String(400), primary_key=True),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(400), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("model", sa.String(400)),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("prompt", sa.Text),
        sa.Column("raw_output", sa.Text),
        sa.Column("parsed_output", sa.JSON),
        sa.Column("verdicts", sa.JSON),
        sa.Column("latency_ms", sa.Float),
        sa.Column("tokens_in", sa.Integer),
        sa.Column("tokens_out", sa.Integer),
        sa.Column("cost_usd", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("meta", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_calls_site_created", "calls", ["site", "created_at"])
    op.create_table(
        "examples",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site", sa.String(400), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("inputs_hash", sa.String(64), nullable=False),
        sa.Column("output", sa.JSON, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("teacher_model", sa.String(400)),
        sa.Column("approved", sa.Boolean, nullable=False),
        sa.Column("split", sa.String(16)),
        sa.Column("verdicts", sa.JSON),
        sa.Column("tags", sa.JSON),
        sa.Column("provenance", sa.JSON),
        sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id")),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_examples_site_fp", "examples", ["site", "fingerprint"])
    op.create_index("ix_examples_site_fp_hash", "examples", ["site", "fingerprint", "inputs_hash"])


def downgrade() -> None:
    op.drop_table("examples")
    op.drop_table("calls")
    op.drop_table("site_routes")
    op.drop_table("call_sites")
