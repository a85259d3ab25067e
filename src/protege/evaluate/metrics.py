"""Turn evaluated rows into an :class:`EvalReport`.

Pure functions: rows in, report out; no database, no model calls. The caller (the evaluator
in the CLI/worker) runs the student on the locked eval split, parses and validates each answer,
and hands us one :class:`EvalRow` per example.

Agreement criteria (what the gate counts as a success for one row):

- ``exact``: the answer equals the reference after JSON normalisation (no tolerance).
- ``fields``: every leaf agrees (numbers within the tolerance), no leaf missing or extra.
- ``validators``: the answer is schema-valid and every validator passes.

A row with ``error`` set, or without a parsable answer, fails every criterion. Per-field
agreement counts rows without a parsable answer as missing every reference field, so a
field's rate is "how often the model got this field right", never "... when it produced JSON".
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from protege.evaluate.jsonleaves import (
    LeafComparison,
    NumericTolerance,
    canonical_json,
    collapse,
    compare_leaves,
    flatten,
)
from protege.evaluate.models import (
    CRITERIA,
    ConfusionMatrix,
    Criterion,
    EvalReport,
    EvalRow,
    FailureCategory,
    FailureExample,
    FieldStat,
    LatencyStat,
    RateStat,
    RowOutcome,
    SliceStat,
    TokenStat,
    ValidatorStat,
)

NO_ANSWER = "(no answer)"
MISSING = "(missing)"
_DETAIL_CHARS = 160


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _DETAIL_CHARS else text[: _DETAIL_CHARS - 1] + "…"


def _leaf(value: Any) -> str:
    """A leaf as JSON, so "1" and 1 read differently in a failure detail."""
    return _short(json.dumps(value, ensure_ascii=False))


def _rate(k: int, n: int) -> float:
    return k / n if n else 0.0


def agreement(
    row: EvalRow,
    criterion: Criterion,
    *,
    numeric_tolerance: NumericTolerance | float | None = None,
) -> bool:
    """Did ``row`` succeed under ``criterion`` (``exact`` | ``fields`` | ``validators``)?"""
    tolerance = NumericTolerance.coerce(numeric_tolerance)
    if criterion not in CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}; use one of {CRITERIA}")
    if row.error is not None or row.parsed is None:
        return False
    if criterion == "exact":
        return canonical_json(row.parsed) == canonical_json(row.reference)
    if criterion == "fields":
        return all(leaf.agree for leaf in compare_leaves(row.reference, row.parsed, tolerance))
    return row.schema_valid and all(v.ok for v in row.verdicts.values())


def percentile_nearest_rank(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value with at least p % of values <= it."""
    if not values:
        raise ValueError("percentile of an empty list")
    if not 0.0 <= p <= 100.0:
        raise ValueError(f"percentile must be in [0, 100], got {p}")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def detect_enum_fields(rows: Iterable[EvalRow], *, max_labels: int = 12) -> list[str]:
    """Fields whose reference values look like an enum: strings only, 2..max_labels distinct
    values, and each value seen twice on average (so free text is not mistaken for a label)."""
    values: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        for path, value in flatten(row.reference).items():
            values[collapse(path)].append(value)
    found = []
    for field, seen in values.items():
        if not all(isinstance(v, str) for v in seen):
            continue
        distinct = len(set(seen))
        if 2 <= distinct <= max_labels and distinct * 2 <= len(seen):
            found.append(field)
    return sorted(found)


def _label(value: Any) -> str:
    return value if isinstance(value, str) else canonical_json(value)


def _confusion(field: str, rows: Sequence[EvalRow]) -> ConfusionMatrix:
    pairs: list[tuple[str, str]] = []
    for row in rows:
        got = flatten(row.parsed) if row.parsed is not None and row.error is None else None
        for path, expected in flatten(row.reference).items():
            if collapse(path) != field:
                continue
            if got is None:
                answer = NO_ANSWER
            else:
                answer = _label(got[path]) if path in got else MISSING
            pairs.append((_label(expected), answer))
    expected_labels = sorted({e for e, _ in pairs})
    extra = sorted({a for _, a in pairs} - set(expected_labels))
    labels = expected_labels + extra
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for expected, answer in pairs:
        matrix[index[expected]][index[answer]] += 1
    correct = sum(1 for e, a in pairs if e == a)
    return ConfusionMatrix(
        field=field,
        labels=labels,
        reference_labels=len(expected_labels),
        matrix=matrix,
        n=len(pairs),
        accuracy=_rate(correct, len(pairs)),
    )


def _row_categories(row: EvalRow, leaves: list[LeafComparison]) -> dict[str, str]:
    """Failure category -> detail for one row (each category at most once per row)."""
    found: dict[str, str] = {}
    if row.error is not None:
        found["error"] = _short(row.error)
        return found
    if row.parsed is None:
        found["invalid_json"] = _short(row.raw_text or "(empty answer)")
        return found
    if not row.schema_valid:
        found["schema_invalid"] = _short(row.raw_text if row.raw_text is not None else row.parsed)
    for name, verdict in row.verdicts.items():
        if not verdict.ok:
            kind = "safety validator" if verdict.safety else "validator"
            found[f"validator:{name}"] = _short(f"{kind} {name}: {verdict.reason or 'failed'}")
    for leaf in leaves:
        if leaf.agree:
            continue
        key = f"field:{leaf.field} {leaf.status}"
        if key in found:
            continue
        if leaf.status == "mismatch":
            detail = f"{leaf.path}: expected {_leaf(leaf.expected)}, got {_leaf(leaf.got)}"
        elif leaf.status == "missing":
            detail = f"{leaf.path}: expected {_leaf(leaf.expected)}, absent"
        else:
            detail = f"{leaf.path}: unexpected {_leaf(leaf.got)}"
        found[key] = detail
    return found


def _slice_values(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(dict.fromkeys(value))


def evaluate_rows(
    rows: Sequence[EvalRow],
    *,
    numeric_tolerance: NumericTolerance | float | None = None,
    enum_fields: Sequence[str] | None = None,
    max_examples: int = 3,
    meta: dict[str, Any] | None = None,
) -> EvalReport:
    """Measure a set of evaluated rows.

    ``numeric_tolerance``: a :class:`NumericTolerance` or a number (absolute tolerance).
    ``enum_fields``: field paths (``type``, ``items[*].kind``) to build confusion matrices
    for; ``None`` detects low-cardinality string fields (see :func:`detect_enum_fields`).
    ``max_examples``: example rows kept per failure category and per validator.
    """
    tolerance = NumericTolerance.coerce(numeric_tolerance)
    n = len(rows)
    ids = [row.id for row in rows]
    if len(set(ids)) != n:
        dupes = sorted({str(i) for i in ids if ids.count(i) > 1})
        raise ValueError(f"row ids must be unique; repeated: {dupes[:5]}")

    outcomes: list[RowOutcome] = []
    field_counts: dict[str, Counter[str]] = defaultdict(Counter)
    validator_rows: dict[str, list[tuple[EvalRow, bool, str]]] = defaultdict(list)
    safety_names: set[str] = set()
    category_rows: dict[str, list[FailureExample]] = defaultdict(list)
    for row in rows:
        answer = row.parsed if row.error is None else None
        leaves = compare_leaves(row.reference, answer, tolerance)
        for leaf in leaves:
            field_counts[leaf.field][leaf.status] += 1
        for name, verdict in row.verdicts.items():
            validator_rows[name].append((row, verdict.ok, verdict.reason))
            if verdict.safety:
                safety_names.add(name)
        categories = _row_categories(row, leaves)
        for category, detail in categories.items():
            category_rows[category].append(FailureExample(row_id=row.id, detail=detail))
        answered = row.error is None and row.parsed is not None
        outcomes.append(
            RowOutcome(
                id=row.id,
                valid_json=row.parsed is not None,
                schema_valid=row.schema_valid and answered,
                exact=agreement(row, "exact", numeric_tolerance=tolerance),
                fields=answered and all(leaf.agree for leaf in leaves),
                validators=agreement(row, "validators", numeric_tolerance=tolerance),
                latency_ms=row.latency_ms,
                categories=list(categories),
            )
        )

    def count(attr: str, subset: Sequence[RowOutcome] = outcomes) -> int:
        return sum(1 for o in subset if getattr(o, attr))

    fields = []
    for field in sorted(field_counts):
        c = field_counts[field]
        total = sum(c.values())
        fields.append(
            FieldStat(
                field=field, n=total, agree=c["agree"], rate=_rate(c["agree"], total),
                mismatch=c["mismatch"], missing=c["missing"], extra=c["extra"],
            )
        )

    validators = []
    for name in sorted(validator_rows):
        judged = validator_rows[name]
        passed = sum(1 for _, ok, _ in judged if ok)
        examples = [
            FailureExample(row_id=r.id, detail=_short(reason or "failed"))
            for r, ok, reason in judged if not ok
        ][:max_examples]
        validators.append(
            ValidatorStat(
                name=name, safety=name in safety_names, n=len(judged), passed=passed,
                failed=len(judged) - passed, rate=_rate(passed, len(judged)), examples=examples,
            )
        )
    safety_failures = sum(
        1 for row in rows for v in row.verdicts.values() if v.safety and not v.ok
    )

    latencies = [row.latency_ms for row in rows if row.latency_ms is not None]
    latency = LatencyStat(n=len(latencies))
    if latencies:
        latency = LatencyStat(
            n=len(latencies),
            p50=percentile_nearest_rank(latencies, 50),
            p95=percentile_nearest_rank(latencies, 95),
            mean=sum(latencies) / len(latencies),
            min=min(latencies),
            max=max(latencies),
        )
    tin = [row.tokens_in for row in rows if row.tokens_in is not None]
    tout = [row.tokens_out for row in rows if row.tokens_out is not None]
    tokens = TokenStat(
        n=max(len(tin), len(tout)),
        total_in=sum(tin),
        total_out=sum(tout),
        mean_in=sum(tin) / len(tin) if tin else None,
        mean_out=sum(tout) / len(tout) if tout else None,
    )

    by_slice: dict[str, dict[str, list[RowOutcome]]] = defaultdict(lambda: defaultdict(list))
    for row, outcome in zip(rows, outcomes):
        for key, value in row.slices.items():
            for item in _slice_values(value):
                by_slice[key][item].append(outcome)
    slices = {
        key: {
            value: SliceStat(
                n=len(members),
                exact_match_rate=_rate(count("exact", members), len(members)),
                schema_valid_rate=_rate(count("schema_valid", members), len(members)),
                fields_agreement_rate=_rate(count("fields", members), len(members)),
            )
            for value, members in sorted(values.items())
        }
        for key, values in sorted(by_slice.items())
    }

    failures = sorted(
        (
            FailureCategory(category=c, count=len(ex), examples=ex[:max_examples])
            for c, ex in category_rows.items()
        ),
        key=lambda f: (-f.count, f.category),
    )
    if enum_fields is None:
        enum_list = detect_enum_fields(rows)
    else:
        enum_list = [collapse(f) for f in enum_fields]
    confusion = [_confusion(field, rows) for field in enum_list]

    return EvalReport(
        n=n,
        valid_json_rate=_rate(count("valid_json"), n),
        schema_valid_rate=_rate(count("schema_valid"), n),
        exact_match_rate=_rate(count("exact"), n),
        agreement={c: RateStat(n=n, successes=count(c), rate=_rate(count(c), n)) for c in CRITERIA},
        fields=fields,
        validators=validators,
        safety_failures=safety_failures,
        latency=latency,
        tokens=tokens,
        slices=slices,
        failures=failures,
        confusion=confusion,
        rows=outcomes,
        numeric_tolerance=tolerance,
        meta=dict(meta or {}),
    )
