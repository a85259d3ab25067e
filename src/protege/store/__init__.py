"""The store: every call, every example, every call site, in a real database.

Plain functions over SQLAlchemy Core; rows come back as dataclasses. One ``Store`` per database
URL per process (``Store.default()`` for the configured one).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from protege.config import on_change, settings
from protege.parsing import canonical_json
from protege.store import engine as _engine
from protege.store.dashboard import DashboardQueries
from protege.store.reviews import ReviewQueries
from protege.store.tables import call_sites, calls, examples, now, site_routes
from protege.store.versions import VersionQueries

Source = Literal["teacher", "synthetic", "curated", "import"]
SOURCES = ("teacher", "synthetic", "curated", "import")



def inputs_hash(inputs: dict) -> str:
    """Hash of normalised inputs: key order and whitespace do not matter."""
    return hashlib.sha256(canonical_json(inputs).encode()).hexdigest()


@dataclass
class ExampleIn:
    inputs: dict
    output: Any
    source: Source = "teacher"
    approved: bool = True
    teacher_model: str | None = None
    tags: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    verdicts: dict | None = None
    split: str | None = None
    call_id: int | None = None


@dataclass
class ExampleRow:
    id: int
    site: str
    fingerprint: str
    inputs: dict
    inputs_hash: str
    output: Any
    source: str
    teacher_model: str | None
    approved: bool
    split: str | None
    verdicts: dict | None
    tags: list
    provenance: dict
    call_id: int | None
    created_at: datetime


@dataclass
class CallRecord:
    site: str
    fingerprint: str
    role: Literal["teacher", "student"]
    inputs: dict
    model: str | None = None
    prompt: str | None = None
    raw_output: str | None = None
    parsed_output: Any = None
    verdicts: dict | None = None
    latency_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    error: str | None = None
    meta: dict = field(default_factory=dict)


class Store(VersionQueries, ReviewQueries, DashboardQueries):
    _defaults: dict[str, Store] = {}
    _lock = threading.Lock()

    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self.engine = _engine.create_engine(url)
        if migrate:
            _engine.upgrade(self.engine)
        self._seen_sites: set[tuple[str, str]] = set()

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """The store at ``url`` (default: the configured one), shared within this process."""
        url = url or settings().resolved_db_url
        with cls._lock:
            if url not in cls._defaults:
                cls._defaults[url] = cls(url)
            return cls._defaults[url]

    default = open

    @classmethod
    def forget_default(cls) -> None:
        with cls._lock:
            for store in cls._defaults.values():
                store.engine.dispose()
            cls._defaults.clear()

    # ----- call sites and routes
    def register_site(self, name: str, fingerprint: str, input_schema: dict, output_schema: dict) -> None:
        """Record that a call site exists; first_seen and last_seen are per process start."""
        if (name, fingerprint) in self._seen_sites:
            return
        t = now()
        try:
            with self.engine.begin() as conn:
                found = conn.execute(
                    sa.select(call_sites.c.id).where(call_sites.c.name == name, call_sites.c.fingerprint == fingerprint)
                ).first()
                if found:
                    conn.execute(call_sites.update().where(call_sites.c.id == found.id).values(last_seen=t))
                else:
                    conn.execute(
                        call_sites.insert().values(
                            name=name, fingerprint=fingerprint, input_schema=input_schema,
                            output_schema=output_schema, first_seen=t, last_seen=t,
                        )
                    )
        except sa.exc.IntegrityError:
            pass  # another process registered it between our check and our insert
        self._seen_sites.add((name, fingerprint))

    def site_fingerprints(self, name: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(call_sites).where(call_sites.c.name == name).order_by(call_sites.c.first_seen.desc())
            ).mappings().all()
        return [dict(r) for r in rows]

    # ----- calls and examples
    def record_call(self, call: CallRecord, example: ExampleIn | None = None) -> int:
        """Insert a call row, and the example it yields, in one transaction. Returns the call id."""
        if example is not None and call.role != "teacher":
            raise ValueError("student answers never become training data")
        with self.engine.begin() as conn:
            call_id = conn.execute(
                calls.insert().values(**call.__dict__, **_live_columns(call.meta), created_at=now())
            ).inserted_primary_key[0]
            if example is not None:
                example.call_id = call_id
                conn.execute(examples.insert().values(_example_values(call.site, call.fingerprint, example)))
        return call_id

    def add_examples(self, site: str, fingerprint: str, rows: list[ExampleIn]) -> list[int]:
        """Insert examples in one transaction (all or none)."""
        for row in rows:
            if row.source not in SOURCES:
                raise ValueError(f"example source must be one of {SOURCES}, not {row.source!r}")
        if not rows:
            return []
        with self.engine.begin() as conn:
            return [
                conn.execute(examples.insert().values(_example_values(site, fingerprint, row))).inserted_primary_key[0]
                for row in rows
            ]

    def examples(
        self, site: str, fingerprint: str | None = None, *, split: str | None = None, approved_only: bool = False
    ) -> list[ExampleRow]:
        query = sa.select(examples).where(examples.c.site == site).order_by(examples.c.id)
        if fingerprint:
            query = query.where(examples.c.fingerprint == fingerprint)
        if split:
            query = query.where(examples.c.split == split)
        if approved_only:
            query = query.where(examples.c.approved.is_(True))
        with self.engine.connect() as conn:
            return [ExampleRow(**dict(r)) for r in conn.execute(query).mappings()]

    def count_examples(self, site: str, fingerprint: str, *, since: datetime | None = None) -> int:
        """Approved examples of (site, fingerprint), those created after ``since`` when given."""
        query = sa.select(sa.func.count()).select_from(examples).where(
            examples.c.site == site, examples.c.fingerprint == fingerprint, examples.c.approved.is_(True))
        if since is not None:
            query = query.where(examples.c.created_at > since)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or 0

    def count_calls(self, site: str, *, since: datetime) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(calls)
                                .where(calls.c.site == site, calls.c.created_at > since)).scalar() or 0

    def set_splits(self, assignments: dict[int, str]) -> None:
        with self.engine.begin() as conn:
            for example_id, split in assignments.items():
                conn.execute(examples.update().where(examples.c.id == example_id).values(split=split))

    def calls(self, site: str, *, limit: int = 50, role: str | None = None) -> list[dict]:
        query = sa.select(calls).where(calls.c.site == site).order_by(calls.c.id.desc()).limit(limit)
        if role:
            query = query.where(calls.c.role == role)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def update_call_meta(self, call_id: int, changes: dict) -> None:
        """Add keys to a call's meta (live outcomes arrive after the call is recorded); the live
        columns follow."""
        with self.engine.begin() as conn:
            meta = conn.execute(sa.select(calls.c.meta).where(calls.c.id == call_id)).scalar() or {}
            merged = {**meta, **changes}
            conn.execute(calls.update().where(calls.c.id == call_id).values(meta=merged, **_live_columns(merged)))

    def live_outcomes(self, site: str, version: int, *, kinds: tuple[str, ...], limit: int) -> list[bool]:
        """Agreement of a version's student with the teacher on live traffic, oldest first
        (the newest ``limit``; one indexed query)."""
        query = (
            sa.select(calls.c.agree)
            .where(calls.c.site == site, calls.c.version == version, calls.c.live.in_(kinds),
                   calls.c.role == "student", calls.c.agree.is_not(None))
            .order_by(calls.c.id.desc()).limit(limit)
        )
        with self.engine.connect() as conn:
            return [bool(a) for a in conn.execute(query).scalars()][::-1]

    def find_teacher_answer(self, site: str, fingerprint: str, hash_: str) -> tuple[str, str] | None:
        """The newest successful teacher answer recorded for these inputs: (raw text, model)."""
        query = (
            sa.select(calls.c.raw_output, calls.c.model)
            .join(examples, examples.c.call_id == calls.c.id)
            .where(examples.c.site == site, examples.c.fingerprint == fingerprint, examples.c.inputs_hash == hash_)
            .order_by(calls.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row.raw_output, row.model) if row else None

    def site_names(self) -> list[str]:
        with self.engine.connect() as conn:
            names = set(conn.execute(sa.select(call_sites.c.name)).scalars())
            names |= set(conn.execute(sa.select(examples.c.site).distinct()).scalars())
        return sorted(names)

    def site_summaries(self) -> list[dict]:
        """One row per call site: newest fingerprint, call counts by role, examples, route."""
        out = []
        with self.engine.connect() as conn:
            for name in self.site_names():
                fp = conn.execute(
                    sa.select(call_sites.c.fingerprint).where(call_sites.c.name == name)
                    .order_by(call_sites.c.last_seen.desc()).limit(1)
                ).scalar()
                if fp is None:
                    fp = conn.execute(
                        sa.select(examples.c.fingerprint).where(examples.c.site == name).order_by(examples.c.id.desc()).limit(1)
                    ).scalar()
                by_role = dict(
                    conn.execute(
                        sa.select(calls.c.role, sa.func.count()).where(calls.c.site == name).group_by(calls.c.role)
                    ).all()
                )
                n_examples = conn.execute(
                    sa.select(sa.func.count()).select_from(examples)
                    .where(examples.c.site == name, examples.c.fingerprint == fp)
                ).scalar()
                route = conn.execute(sa.select(site_routes.c.route).where(site_routes.c.site == name)).scalar()
                savings = _savings(conn, name)
                out.append(
                    {
                        "site": name,
                        "fingerprint": fp,
                        "calls": sum(by_role.values()),
                        "teacher_calls": by_role.get("teacher", 0),
                        "student_calls": by_role.get("student", 0),
                        "examples": n_examples,
                        "route": route or "teacher",
                        **savings,
                    }
                )
        return out


def _savings(conn: sa.Connection, site: str) -> dict:
    """Answers the student served, and the teacher money and latency they saved (estimates from
    the mean teacher call of this site)."""
    teacher = conn.execute(
        sa.select(sa.func.avg(calls.c.cost_usd), sa.func.avg(calls.c.latency_ms))
        .where(calls.c.site == site, calls.c.role == "teacher", calls.c.error.is_(None))
    ).one()
    served, student_ms = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(calls.c.latency_ms), 0.0)).where(
            calls.c.site == site, calls.c.role == "student", calls.c.error.is_(None),
            calls.c.live.in_(("serve", "spot_check")))
    ).one()
    teacher_cost, teacher_ms = teacher
    return {
        "served_by_student": served,
        "saved_usd": round(served * teacher_cost, 6) if teacher_cost is not None else None,
        "saved_seconds": round(served * (teacher_ms or 0.0) / 1000 - student_ms / 1000, 3) if served and teacher_ms else 0.0,
    }


LIVE_COLUMNS = ("live", "agree", "version", "fallback_kind")


def _live_columns(meta: dict | None) -> dict:
    """The live-outcome columns of a call, from the meta the router writes."""
    return {column: (meta or {}).get(column) for column in LIVE_COLUMNS}


def _example_values(site: str, fingerprint: str, row: ExampleIn) -> dict:
    return {
        "site": site,
        "fingerprint": fingerprint,
        "inputs": row.inputs,
        "inputs_hash": inputs_hash(row.inputs),
        "output": row.output,
        "source": row.source,
        "teacher_model": row.teacher_model,
        "approved": row.approved,
        "split": row.split,
        "verdicts": row.verdicts,
        "tags": list(row.tags),
        "provenance": row.provenance,
        "call_id": row.call_id,
        "created_at": now(),
    }


on_change(Store.forget_default)  # a cached store belongs to the settings it was opened with
