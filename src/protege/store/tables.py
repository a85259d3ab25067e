"""The store's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create them; a test
pins the columns so that a change here without a migration fails."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

metadata = sa.MetaData()


def now() -> datetime:
    """The store's clock: every timestamp column holds an aware UTC time from here."""
    return datetime.now(timezone.utc)

call_sites = sa.Table(
    "call_sites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(400), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("input_schema", sa.JSON, nullable=False),
    sa.Column("output_schema", sa.JSON, nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("name", "fingerprint", name="uq_call_sites_name_fingerprint"),
)

site_routes = sa.Table(
    "site_routes",
    metadata,
    sa.Column("site", sa.String(400), primary_key=True),
    sa.Column("route", sa.String(16), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

calls = sa.Table(
    "calls",
    metadata,
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
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # how a student answer was used and judged live (also in meta, for reading a call whole)
    sa.Column("live", sa.String(16)),
    sa.Column("agree", sa.Boolean),
    sa.Column("version", sa.Integer),
    sa.Column("fallback_kind", sa.String(32)),
    sa.Index("ix_calls_site_created", "site", "created_at"),
    sa.Index("ix_calls_live", "site", "version", "live", "id"),
)

examples = sa.Table(
    "examples",
    metadata,
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
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_examples_site_fp", "site", "fingerprint"),
    sa.Index("ix_examples_site_fp_hash", "site", "fingerprint", "inputs_hash"),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
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
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("site", "version", name="uq_model_versions_site_version"),
)

site_aliases = sa.Table(
    "site_aliases",
    metadata,
    sa.Column("site", sa.String(400), primary_key=True),
    sa.Column("alias", sa.String(32), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site", sa.String(400), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("from_value", sa.String(64)),
    sa.Column("to_value", sa.String(64)),
    sa.Column("reason", sa.Text),
    sa.Column("numbers", sa.JSON),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_events_site", "site", "id"),
)

leases = sa.Table(
    "leases",
    metadata,
    sa.Column("name", sa.String(400), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

reviews = sa.Table(
    "reviews",
    metadata,
    # one row per answer a person scores: one side of a blinded (teacher, student) pair
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
    sa.Index("ix_reviews_site", "site", "reviewer"),
)
