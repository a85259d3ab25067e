"""live outcomes as columns: how a student call was used (serve / shadow / spot_check), whether
it agreed with the teacher, which version answered, and why it fell back — indexed, so live
monitoring reads a bounded, indexed query instead of scanning JSON. Existing rows are filled in
from their meta.

Revision ID: 0004_live_outcomes
Revises: 0003_leases
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004_live_outcomes"
down_revision = "0003_leases"
branch_labels = None
depends_on = None

COLUMNS = ("live", "agree", "version", "fallback_kind")


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("live", sa.String(16)))
        batch.add_column(sa.Column("agree", sa.Boolean))
        batch.add_column(sa.Column("version", sa.Integer))
        batch.add_column(sa.Column("fallback_kind", sa.String(32)))
    op.create_index("ix_calls_live", "calls", ["site", "version", "live", "id"])
    conn = op.get_bind()
    calls = sa.table("calls", sa.column("id", sa.Integer), sa.column("meta", sa.JSON),
                     *(sa.column(c) for c in COLUMNS))
    rows = conn.execute(sa.select(calls.c.id, calls.c.meta)).all()
    for call_id, meta in rows:
        if isinstance(meta, str):
            meta = json.loads(meta)
        values = {c: (meta or {}).get(c) for c in COLUMNS}
        if any(v is not None for v in values.values()):
            conn.execute(calls.update().where(calls.c.id == call_id).values(**values))


def downgrade() -> None:
    op.drop_index("ix_calls_live", "calls")
    with op.batch_alter_table("calls") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
