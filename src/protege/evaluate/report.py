"""Write an :class:`EvalReport` as JSON (for machines) and as one HTML page (for people).

The HTML page is self-contained: inline CSS and inline SVG charts (see ``svg.py``), no script,
no network, so it can be attached to a model version, mailed or opened from a CI artifact.
:func:`compare` puts two reports side by side (baseline vs fine-tuned, student vs teacher);
``write_html(..., compare_to=...)`` renders that comparison on the page.
"""

from __future__ import annotations

import math
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel

from protege.evaluate import svg
from protege.evaluate.gate import GateDecision
from protege.evaluate.models import Criterion, EvalReport


class MetricDelta(BaseModel):
    """One metric in two reports; ``delta = b - a``. ``higher_is_better`` None = neutral."""

    name: str
    a: float | None
    b: float | None
    delta: float | None
    higher_is_better: bool | None = True

    @property
    def verdict(self) -> str:
        """``better`` | ``worse`` | ``same`` | ``""`` (neutral or unknown), seen from b."""
        if self.delta is None or self.higher_is_better is None:
            return ""
        if abs(self.delta) < 1e-12:
            return "same"
        return "better" if (self.delta > 0) == self.higher_is_better else "worse"


class PairedCounts(BaseModel):
    """Per-row success of a and b on the rows both evaluated (same ids), under one criterion.

    ``p_value`` is the exact two-sided McNemar test on the discordant rows: a small value says
    the difference between a and b is unlikely to be chance.
    """

    criterion: Criterion
    n_common: int
    both: int
    only_a: int
    only_b: int
    neither: int
    p_value: float


class Comparison(BaseModel):
    """Two reports side by side: headline metrics, per-field and per-validator rates."""

    a_label: str
    b_label: str
    metrics: list[MetricDelta]
    fields: list[MetricDelta]
    validators: list[MetricDelta]
    paired: PairedCounts | None = None


def _delta(name: str, a: float | None, b: float | None, higher: bool | None = True) -> MetricDelta:
    delta = None if a is None or b is None else b - a
    return MetricDelta(name=name, a=a, b=b, delta=delta, higher_is_better=higher)


def _mcnemar_exact(only_a: int, only_b: int) -> float:
    discordant = only_a + only_b
    if discordant == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(discordant, i) for i in range(k + 1)) / 2.0**discordant
    return min(1.0, 2.0 * tail)


def compare(
    a: EvalReport,
    b: EvalReport,
    *,
    a_label: str | None = None,
    b_label: str | None = None,
    criterion: Criterion = "fields",
) -> Comparison:
    """Metric deltas from ``a`` to ``b`` (e.g. a = baseline, b = after training)."""
    metrics = [
        _delta("rows evaluated", a.n, b.n, None),
        _delta("valid JSON rate", a.valid_json_rate, b.valid_json_rate),
        _delta("schema valid rate", a.schema_valid_rate, b.schema_valid_rate),
        _delta("exact match rate", a.exact_match_rate, b.exact_match_rate),
        _delta("fields agreement", a.agreement["fields"].rate, b.agreement["fields"].rate),
        _delta(
            "validators agreement", a.agreement["validators"].rate, b.agreement["validators"].rate
        ),
        _delta("safety failures", a.safety_failures, b.safety_failures, False),
        _delta("latency p50 (ms)", a.latency.p50, b.latency.p50, False),
        _delta("latency p95 (ms)", a.latency.p95, b.latency.p95, False),
        _delta("mean tokens out", a.tokens.mean_out, b.tokens.mean_out, None),
    ]
    a_fields = {f.field: f.rate for f in a.fields}
    b_fields = {f.field: f.rate for f in b.fields}
    fields = [
        _delta(name, a_fields.get(name), b_fields.get(name)) for name in sorted(a_fields | b_fields)
    ]
    a_val = {v.name: v.rate for v in a.validators}
    b_val = {v.name: v.rate for v in b.validators}
    validators = [_delta(name, a_val.get(name), b_val.get(name)) for name in sorted(a_val | b_val)]

    paired = None
    a_rows = {r.id: getattr(r, criterion) for r in a.rows}
    common = [(a_rows[r.id], getattr(r, criterion)) for r in b.rows if r.id in a_rows]
    if common:
        only_a = sum(1 for x, y in common if x and not y)
        only_b = sum(1 for x, y in common if y and not x)
        paired = PairedCounts(
            criterion=criterion,
            n_common=len(common),
            both=sum(1 for x, y in common if x and y),
            only_a=only_a,
            only_b=only_b,
            neither=sum(1 for x, y in common if not x and not y),
            p_value=_mcnemar_exact(only_a, only_b),
        )
    return Comparison(
        a_label=a_label or str(a.meta.get("label", "A")),
        b_label=b_label or str(b.meta.get("label", "B")),
        metrics=metrics,
        fields=fields,
        validators=validators,
        paired=paired,
    )


def _atomic_write(path: str | os.PathLike[str], text: str) -> Path:
    """Write via a temporary file and rename, so a reader never sees half a report."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_json(report: EvalReport, path: str | os.PathLike[str]) -> Path:
    """Write the report as indented JSON; read it back with ``EvalReport.model_validate_json``."""
    return _atomic_write(path, report.model_dump_json(indent=2) + "\n")


def _charts(report: EvalReport, comparison: Comparison | None) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    if report.fields:
        if comparison is not None:
            charts["fields"] = svg.hbar_chart(
                [f.name for f in comparison.fields],
                [(comparison.a_label, [f.a for f in comparison.fields]),
                 (comparison.b_label, [f.b for f in comparison.fields])],
                title="Per-field agreement",
            )
        else:
            charts["fields"] = svg.hbar_chart(
                [f.field for f in report.fields],
                [("agreement", [f.rate for f in report.fields])],
                title="Per-field agreement",
            )
    latencies = [r.latency_ms for r in report.rows if r.latency_ms is not None]
    if latencies:
        charts["latency"] = svg.histogram(
            latencies, title="Latency histogram", x_label="latency (ms)",
            bins=svg.nice_bins(len(latencies)),
            markers=[("p50", report.latency.p50), ("p95", report.latency.p95)],
        )
    charts["confusion"] = [
        (m, svg.heatmap(m.labels, m.matrix, rows=m.reference_labels,
                        title=f"Confusion matrix of {m.field}"))
        for m in report.confusion
    ]
    return {k: Markup(v) if isinstance(v, str) else [(m, Markup(s)) for m, s in v]
            for k, v in charts.items()}


def _number(value: float | int | None) -> str:
    """Counts without decimals, measurements with one: 120, 195.5, n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def render_html(
    report: EvalReport,
    *,
    title: str,
    compare_to: EvalReport | None = None,
    decision: GateDecision | None = None,
) -> str:
    """The HTML page as a string (see :func:`write_html`)."""
    comparison = None
    if compare_to is not None:
        comparison = compare(
            compare_to,
            report,
            a_label=str(compare_to.meta.get("label", "baseline")),
            b_label=str(report.meta.get("label", "this report")),
        )
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{v:.1%}"
    env.filters["num"] = _number
    source = resources.files("protege.evaluate").joinpath("report.html").read_text("utf-8")
    template = env.from_string(source)
    return template.render(
        base_css=Markup(report_css()),
        title=title,
        report=report,
        comparison=comparison,
        decision=decision,
        charts=_charts(report, comparison),
    )


def write_html(
    report: EvalReport,
    path: str | os.PathLike[str],
    *,
    title: str,
    compare_to: EvalReport | None = None,
    decision: GateDecision | None = None,
) -> Path:
    """Write a self-contained HTML report a person can read (headline numbers, charts, tables,
    failures with example rows). ``compare_to`` adds a side-by-side comparison (it is the "a"
    side, e.g. the baseline; this report is "b"); ``decision`` adds the gate's verdict."""
    return _atomic_write(
        path, render_html(report, title=title, compare_to=compare_to, decision=decision)
    )


def report_css() -> str:
    """The stylesheet every protege HTML report starts from, so an app's report looks like ours."""
    return resources.files("protege.evaluate").joinpath("report.css").read_text("utf-8")
