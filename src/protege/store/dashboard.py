"""The dashboard's statements: live numbers of one call site, read from its recorded calls.

``protege sites`` (:meth:`Store.site_summaries`) gives the counts and the savings; these
queries add what a person watching a site wants next — how often answers were valid JSON and
schema-valid, each validator's pass rate, latency, fallbacks and the newest failures.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from protege.evaluate.metrics import percentile_nearest_rank
from protege.store.tables import calls


class DashboardQueries:
    """Mixed into :class:`protege.store.Store`; ``self.engine`` is the store's engine."""

    engine: sa.Engine

    def site_live_stats(self, site: str, window: int = 10_000) -> dict:
        """Over the newest ``window`` calls, per role (teacher, student): calls, answered,
        valid-JSON and schema-valid rates over the answers that arrived, mean and p95 latency of
        the calls without error, each validator's pass rate; and the fallbacks by kind."""
        query = (
            sa.select(calls.c.role, calls.c.raw_output.is_not(None).label("answered"),
                      calls.c.parsed_output, calls.c.error, calls.c.verdicts,
                      calls.c.latency_ms, calls.c.fallback_kind, calls.c.meta)
            .where(calls.c.site == site).order_by(calls.c.id.desc()).limit(window)
        )
        roles: dict[str, _RoleTally] = {}
        fallbacks: Counter[str] = Counter()
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                roles.setdefault(row.role, _RoleTally()).add(row)
                if row.role == "student" and row.fallback_kind:
                    fallbacks[row.fallback_kind] += 1
        return {"roles": {role: tally.summary() for role, tally in sorted(roles.items())},
                "fallbacks": sum(fallbacks.values()), "fallbacks_by_kind": dict(sorted(fallbacks.items()))}

    def recent_failures(self, site: str, limit: int = 5) -> list[dict]:
        """The newest calls that failed, with their reasons: teacher errors and answers that did
        not parse, student answers that fell back to the teacher."""
        query = (
            sa.select(calls.c.id, calls.c.created_at, calls.c.role, calls.c.model, calls.c.error,
                      calls.c.fallback_kind, calls.c.live)
            .where(calls.c.site == site, calls.c.error.is_not(None))
            .order_by(calls.c.id.desc()).limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def latencies(self, site: str, role: str, limit: int = 2000) -> list[float]:
        """Latency (ms) of the newest ``limit`` calls of one role that succeeded, oldest first."""
        query = (
            sa.select(calls.c.latency_ms)
            .where(calls.c.site == site, calls.c.role == role, calls.c.error.is_(None), calls.c.latency_ms.is_not(None))
            .order_by(calls.c.id.desc()).limit(limit)
        )
        with self.engine.connect() as conn:
            return [float(v) for v in conn.execute(query).scalars()][::-1]


class _RoleTally:
    def __init__(self) -> None:
        self.calls = self.answered = self.valid_json = self.schema_valid = 0
        self.latency: list[float] = []
        self.validators: dict[str, list[int]] = {}  # name -> [judged, passed, safety]

    def add(self, row) -> None:
        self.calls += 1
        if row.answered:
            reason = row.error or (row.meta or {}).get("would_fallback") or ""
            self.answered += 1
            self.valid_json += not reason.startswith("invalid_json")
            self.schema_valid += row.parsed_output is not None  # a JSON null reads as None
        if row.error is None and row.latency_ms is not None:
            self.latency.append(float(row.latency_ms))
        for name, verdict in (row.verdicts or {}).items():
            counts = self.validators.setdefault(name, [0, 0, 0])
            counts[0] += 1
            counts[1] += bool(verdict.get("ok"))
            counts[2] = int(bool(verdict.get("safety")))

    def summary(self) -> dict:
        ordered = sorted(self.latency)
        return {
            "calls": self.calls,
            "answered": self.answered,
            "valid_json_rate": _rate(self.valid_json, self.answered),
            "schema_valid_rate": _rate(self.schema_valid, self.answered),
            "latency_mean_ms": round(sum(ordered) / len(ordered), 1) if ordered else None,
            "latency_p95_ms": round(percentile_nearest_rank(ordered, 95), 1) if ordered else None,
            "validators": {name: {"n": n, "passed": passed, "rate": _rate(passed, n), "safety": bool(safety)}
                           for name, (n, passed, safety) in sorted(self.validators.items())},
        }


def _rate(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None
