"""Evaluation plug-ins: an app's own metrics and gate, run by the core evaluator.

The core evaluator (:class:`Evaluator`) knows nothing about an app's domain. An app hands it an
:class:`EvalPlugin` — the way a call site hands its validators to the router — that says, per
case, what the model is asked and what its answer scored, how the scores add up to metrics, which
checks make up the app's gate and when a new model may replace a baseline. The core does the
rest, the same for every app: one pass over the cases, failure counts and top categories, the gate
verdict, the side-by-side comparison, and the text and HTML renderings of both.

A report is plain JSON-ready data::

    {"model", "cases", **plugin.aggregate(...) (at least "metrics"), "failure_counts",
     "top_failures", "outcomes" (plugin.score per case, plus "raw_output"), "gate"}

Pure: nothing here loads a model or reads the store; the answer functions that do live in
:mod:`protege.evaluate.runner` (``student_answerer``, ``gguf_answerer``, ``teacher_answerer``).
"""

from __future__ import annotations

import html
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

Answer = Callable[[dict], tuple[str, float | None]]
"""A model under test: the case's inputs -> (raw output text, latency in ms or None)."""

Check = tuple[bool, str]
"""One rule of a gate or a comparison: (passed, what failed when it did not)."""

TOP_FAILURES = 5


@dataclass(frozen=True)
class CaseAnswer:
    """One case and what the model under test answered to it."""

    case: Any
    text: str
    latency_ms: float | None = None


@dataclass(frozen=True)
class PluginGate:
    """An app gate's verdict: passed, and the message of every check that failed."""

    passed: bool
    failures: tuple[str, ...]


@runtime_checkable
class EvalPlugin(Protocol):
    """What an app supplies to the core evaluator. Cases are the app's own objects.

    ``name`` names the app's reports, ``gate_name`` the verdict line ("demo-ready"), and
    ``failure_categories`` every category :meth:`score` and :meth:`aggregate` may write, in the
    order reports list them.
    """

    name: str
    gate_name: str
    failure_categories: tuple[str, ...]

    def inputs(self, case: Any) -> dict:
        """The call site's inputs for one case (what the model under test is asked)."""

    def score(self, answer: CaseAnswer) -> dict[str, Any]:
        """One case's outcome: JSON-ready fields, ``id``, and ``failures`` (a list of categories)."""

    def aggregate(self, cases: Sequence[Any], outcomes: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
        """The report's numbers over all cases: ``{"metrics": {...}, ...}``. It may add failures
        that need every case to judge (a latency outlier) to the outcomes' lists."""

    def gate(self, report: dict[str, Any], **options: Any) -> list[Check]:
        """The app's gate, as checks on a finished report."""

    def comparison_rules(self, baseline: dict[str, Any], candidate: dict[str, Any]) -> list[Check]:
        """When the candidate may replace the baseline."""

    def report_sections(self, report: dict[str, Any]) -> list[tuple[str, str]]:
        """Extra (title, plain text) sections an app adds to its reports; usually ``[]``."""


def check_plugin(plugin: Any) -> EvalPlugin:
    """Fail early, with the names that are missing, when ``plugin`` is not an :class:`EvalPlugin`."""
    missing = [name for name in ("name", "gate_name", "failure_categories", "inputs", "score", "aggregate", "gate",
                                 "comparison_rules", "report_sections") if not hasattr(plugin, name)]
    if missing:
        raise TypeError(f"{type(plugin).__name__} is not an EvalPlugin: it has no {', '.join(missing)}")
    return plugin


class Evaluator:
    """The core evaluator, run with one app's plugin::

        evaluator = protege.Evaluator(MyEval())
        report = evaluator.run(cases, protege.student_answerer(site, version), model="student v3")
        print(evaluator.text(report))
    """

    def __init__(self, plugin: EvalPlugin) -> None:
        self.plugin = check_plugin(plugin)

    def run(self, cases: Sequence[Any], answer: Answer, *, model: str,
            progress: Callable[[int, int], None] | None = None, **options: Any) -> dict[str, Any]:
        """The one loop over the cases: ask ``answer`` each (with the inputs the plugin gives it),
        then :meth:`evaluate` the answers. ``options`` go to the plugin's aggregate and gate."""
        answers = []
        for i, case in enumerate(cases, start=1):
            text, latency = answer(self.plugin.inputs(case))
            answers.append(CaseAnswer(case, text, latency))
            if progress:
                progress(i, len(cases))
        report = self.evaluate(answers, model=model, **options)
        report["created"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        return report

    def evaluate(self, answers: Sequence[CaseAnswer], *, model: str = "", **options: Any) -> dict[str, Any]:
        """Score answers already in hand: outcomes, the plugin's metrics, failure counts, the gate."""
        plugin = self.plugin
        outcomes = []
        for answer in answers:
            outcome = plugin.score(answer)
            outcome["raw_output"] = answer.text
            outcomes.append(outcome)
        numbers = plugin.aggregate([a.case for a in answers], outcomes, **options)
        counts = Counter(category for outcome in outcomes for category in outcome["failures"])
        if unknown := set(counts) - set(plugin.failure_categories):
            raise ValueError(f"{plugin.name}: failure categories {sorted(unknown)} are not in failure_categories")
        report = {
            "model": model,
            "cases": len(outcomes),
            **numbers,
            "failure_counts": {category: counts.get(category, 0) for category in plugin.failure_categories},
            "top_failures": [[category, count] for category, count in counts.most_common(TOP_FAILURES)],
            "outcomes": outcomes,
        }
        report["gate"] = self.gate(report, **options).__dict__
        return report

    def gate(self, report: dict[str, Any], **options: Any) -> PluginGate:
        """The plugin's gate on a report: passed only when every check passes."""
        checks = self.plugin.gate(report, **options)
        return PluginGate(all(ok for ok, _ in checks), tuple(message for ok, message in checks if not ok))

    def compare(self, baseline: dict[str, Any], candidate: dict[str, Any]) -> dict[str, Any]:
        """Baseline vs candidate: every metric side by side with its delta, both sides' top
        failure categories, and the plugin's rule for using the candidate."""
        rows = []
        for name, before in baseline["metrics"].items():
            after = candidate["metrics"].get(name)
            delta = None if before is None or after is None else round(after - before, 4)
            rows.append({"metric": name, "baseline": before, "candidate": after, "delta": delta})
        rules = self.plugin.comparison_rules(baseline, candidate)
        return {
            "baseline_model": baseline.get("model", ""), "candidate_model": candidate.get("model", ""),
            "metrics": rows,
            "baseline_top_failures": baseline["top_failures"],
            "candidate_top_failures": candidate["top_failures"],
            "use_candidate": all(ok for ok, _ in rules),
            "blocking_reasons": [message for ok, message in rules if not ok],
        }

    def text(self, report: dict[str, Any]) -> str:
        """A report as plain text: one line per metric, the top failure categories, the gate's
        verdict, then the plugin's own sections."""
        lines = [f"{name:28} {'-' if value is None else value}" for name, value in report["metrics"].items()]
        lines.append("top failures: " + _top(report["top_failures"]))
        lines.append(f"{self.plugin.gate_name}: " + _verdict(report["gate"]["passed"], report["gate"]["failures"]))
        for title, text in self.plugin.report_sections(report):
            lines += [f"{title}:", text]
        return "\n".join(lines)

    @staticmethod
    def comparison_text(comparison: dict[str, Any]) -> str:
        """A comparison as a plain-text table with both sides' top failures and the verdict."""
        lines = [f"{'metric':28} {'baseline':>10} {'candidate':>10} {'delta':>8}"]
        for row in comparison["metrics"]:
            cells = ["-" if row[k] is None else f"{row[k]:.4f}" for k in ("baseline", "candidate", "delta")]
            lines.append(f"{row['metric']:28} {cells[0]:>10} {cells[1]:>10} {cells[2]:>8}")
        for side in ("baseline", "candidate"):
            lines.append(f"top failures, {side}: {_top(comparison[f'{side}_top_failures'])}")
        lines.append("use candidate: " + _verdict(comparison["use_candidate"], comparison["blocking_reasons"]))
        return "\n".join(lines)

    def html(self, report: dict[str, Any], *, css: str = "", comparison: dict[str, Any] | None = None) -> str:
        """A report as one self-contained HTML page: metrics, the gate, failure counts, the
        comparison with a baseline when given, and the plugin's sections."""
        return _render_html(self.plugin, report, css=css, comparison=comparison)


def _top(failures: list) -> str:
    return ", ".join(f"{category} ({count})" for category, count in failures) or "none"


def _verdict(passed: bool, failures: Sequence[str]) -> str:
    return "yes" if passed else "no: " + "; ".join(failures)


def _cell(value: Any) -> str:
    return "-" if value is None else html.escape(f"{value:.4f}" if isinstance(value, float) else str(value))


def _table(header: Sequence[str], rows: list[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _render_html(plugin: EvalPlugin, report: dict[str, Any], *, css: str, comparison: dict[str, Any] | None) -> str:
    esc = html.escape
    title = f"{plugin.name}: {report['model']}"
    gate = report["gate"]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
        f"<style>{css}</style></head><body><main><h1>{esc(title)}</h1><p>{report['cases']} cases</p>",
        f"<h2>{esc(plugin.gate_name)}: {esc(_verdict(gate['passed'], gate['failures']))}</h2>",
        _table(("metric", "value"), list(report["metrics"].items())),
        "<h2>failures</h2>",
        _table(("category", "cases"), list(report["failure_counts"].items())),
    ]
    if comparison is not None:
        verdict = _verdict(comparison["use_candidate"], comparison["blocking_reasons"])
        parts.append(f"<h2>against {esc(comparison['baseline_model'])}: use candidate {esc(verdict)}</h2>")
        parts.append(_table(("metric", "baseline", "candidate", "delta"),
                            [(r["metric"], r["baseline"], r["candidate"], r["delta"]) for r in comparison["metrics"]]))
    for title, text in plugin.report_sections(report):
        parts.append(f"<h2>{esc(title)}</h2><pre>{esc(text)}</pre>")
    return "".join(parts) + "</main></body></html>\n"
