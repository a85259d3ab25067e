"""The plain-data types of an evaluation: one input row and the report built from many rows.

Everything here is a Pydantic model so a report round-trips through JSON unchanged
(``EvalReport.model_validate_json(report.model_dump_json())``) and can be stored beside a
model version in the registry.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field

from protege.evaluate.jsonleaves import NumericTolerance

Criterion = Literal["exact", "fields", "validators"]
CRITERIA: tuple[Criterion, ...] = ("exact", "fields", "validators")


class ValidatorVerdict(NamedTuple):
    """What one validator said about one answer. ``safety`` validators have zero tolerance."""

    ok: bool
    reason: str = ""
    safety: bool = False


class EvalRow(BaseModel):
    """One evaluated example: the reference answer beside what the model under test produced.

    ``parsed`` is ``None`` when ``raw_text`` was not valid JSON (or the call failed; then
    ``error`` says why). ``verdicts`` maps validator name -> (ok, reason, safety) and is
    usually empty when there was nothing to validate. ``slices`` tags the row for breakdowns,
    e.g. ``{"tags": ["telegram", "pt"], "locale": "pt-BR"}``.
    """

    id: str | int
    reference: Any
    raw_text: str | None = None
    parsed: Any = None
    schema_valid: bool = False
    verdicts: dict[str, ValidatorVerdict] = Field(default_factory=dict)
    latency_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    slices: dict[str, str | list[str]] = Field(default_factory=dict)
    error: str | None = None


class RateStat(BaseModel):
    """``successes`` out of ``n``."""

    n: int
    successes: int
    rate: float


class FieldStat(BaseModel):
    """Agreement of one field (collapsed leaf path) over all rows that have it on either side."""

    field: str
    n: int
    agree: int
    rate: float
    mismatch: int = 0
    missing: int = 0
    extra: int = 0


class FailureExample(BaseModel):
    """A row that failed in some way, with a short human-readable detail."""

    row_id: str | int
    detail: str


class ValidatorStat(BaseModel):
    """Pass rate of one validator over the rows it judged."""

    name: str
    safety: bool
    n: int
    passed: int
    failed: int
    rate: float
    examples: list[FailureExample] = Field(default_factory=list)


class LatencyStat(BaseModel):
    """Latency in milliseconds over rows that report one; percentiles use the nearest rank."""

    n: int
    p50: float | None = None
    p95: float | None = None
    mean: float | None = None
    min: float | None = None
    max: float | None = None


class TokenStat(BaseModel):
    """Token counts over rows that report them."""

    n: int
    total_in: int
    total_out: int
    mean_in: float | None = None
    mean_out: float | None = None


class SliceStat(BaseModel):
    """Headline rates for the rows carrying one slice value (e.g. locale=pt-BR)."""

    n: int
    exact_match_rate: float
    schema_valid_rate: float
    fields_agreement_rate: float


class FailureCategory(BaseModel):
    """A kind of failure (``invalid_json``, ``validator:<name>``, ``field:<path>``, ...)."""

    category: str
    count: int
    examples: list[FailureExample] = Field(default_factory=list)


class ConfusionMatrix(BaseModel):
    """Reference label (row) x answer label (column) counts for one enum-valued field.

    ``labels`` lists the reference labels first (``reference_labels`` of them), then labels
    only answers used (a wrong value, ``(missing)``, ``(no answer)``); the matrix is square.
    """

    field: str
    labels: list[str]
    reference_labels: int
    matrix: list[list[int]]
    n: int
    accuracy: float


class RowOutcome(BaseModel):
    """Per-row results kept in the report: paired comparisons and examples need them."""

    id: str | int
    valid_json: bool
    schema_valid: bool
    exact: bool
    fields: bool
    validators: bool
    latency_ms: float | None = None
    categories: list[str] = Field(default_factory=list)


class EvalReport(BaseModel):
    """Everything measured on one evaluation run; see :func:`protege.evaluate.evaluate_rows`."""

    n: int
    valid_json_rate: float
    schema_valid_rate: float
    exact_match_rate: float
    agreement: dict[str, RateStat]
    fields: list[FieldStat]
    validators: list[ValidatorStat]
    safety_failures: int
    latency: LatencyStat
    tokens: TokenStat
    slices: dict[str, dict[str, SliceStat]]
    failures: list[FailureCategory]
    confusion: list[ConfusionMatrix]
    rows: list[RowOutcome]
    numeric_tolerance: NumericTolerance
    meta: dict[str, Any] = Field(
        default_factory=dict,
        description="Free context set by the caller: call site, model version, eval split, date.",
    )

    def rate(self, criterion: Criterion) -> RateStat:
        """Successes under a named agreement criterion (what the gate counts)."""
        try:
            return self.agreement[criterion]
        except KeyError:
            raise ValueError(f"unknown criterion {criterion!r}; use one of {CRITERIA}") from None
