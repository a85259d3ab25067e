"""Running a student version on a call site's locked eval set, and the reports that come out.

This is the impure half of evaluation (it loads models and reads the store); the metrics, gate
and report rendering it calls are pure (see the rest of :mod:`protege.evaluate`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from protege.callsite import CallSite
from protege.config import settings
from protege.errors import CallSiteError, OutputParseError
from protege.evaluate.jsonleaves import NumericTolerance
from protege.evaluate.metrics import agreement, evaluate_rows
from protege.evaluate.models import EvalReport, EvalRow, ValidatorVerdict
from protege.evaluate.report import write_html, write_json
from protege.evaluate.schema_paths import enum_fields_from_schema
from protege.registry import ModelVersion, site_slug
from protege.store import ExampleRow
from protege.students.runtime import StudentRuntime
from protege.validators import run_validators


@dataclass
class StudentResult:
    """One student answer judged against the call site's contract."""

    output: object | None
    row: EvalRow
    min_logprob: float
    mean_logprob: float


def judge_answer(site: CallSite, answer, reference, *, inputs: dict, row_id, slices=None) -> StudentResult:
    """Parse and validate a student answer and make the EvalRow comparing it to ``reference``."""
    parsed_json = answer.parsed_json
    output, schema_valid, error = None, False, None
    if parsed_json is None:
        error = f"no complete JSON ({answer.finish_reason})"
    else:
        try:
            output = site.validate(parsed_json, raw_text=answer.text)
            schema_valid = True
        except OutputParseError:
            pass
    verdicts = {}
    if output is not None:
        verdicts = {
            name: ValidatorVerdict(v["ok"], v["reason"], v["safety"])
            for name, v in run_validators(site.validators, output, inputs).items()
        }
    row = EvalRow(
        id=row_id,
        reference=reference,
        raw_text=answer.text,
        parsed=site.normal_form(output) if output is not None else parsed_json,
        schema_valid=schema_valid,
        verdicts=verdicts,
        latency_ms=answer.latency_ms,
        tokens_in=answer.tokens_in,
        tokens_out=answer.tokens_out,
        slices=slices or {},
        error=error,
    )
    return StudentResult(output, row, answer.min_logprob, answer.mean_logprob)


def reference_of(site: CallSite, example: ExampleRow):
    """The reference answer in the form student answers are compared in (defaults filled)."""
    return site.normal_form(site.validate(example.output))


def evaluate_version(
    site: CallSite,
    version: ModelVersion,
    examples: list[ExampleRow],
    *,
    numeric_tolerance: float | NumericTolerance | None = None,
    criterion: str = "fields",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[EvalReport, list[StudentResult]]:
    """Answer every example with the version's student and report on it."""
    changed = site.student_view_changed(version.train_config)
    if changed:
        raise CallSiteError(f"{site.name} {version.label}: {changed}")
    runtime = StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256)
    results = []
    for i, example in enumerate(examples, start=1):
        answer = runtime.answer(site.student_prompt(example.inputs), site.output_schema)
        slices = {"tags": list(example.tags or []), "source": example.source}
        results.append(judge_answer(site, answer, reference_of(site, example), inputs=example.inputs, row_id=example.id, slices=slices))
        if progress:
            progress(i, len(examples))
    report = evaluate_rows(
        [r.row for r in results],
        numeric_tolerance=numeric_tolerance,
        enum_fields=enum_fields_from_schema(site.output_schema) or None,
        meta={
            "label": f"{site.name} {version.label}", "site": site.name, "version": version.version,
            "fingerprint": site.fingerprint, "criterion": criterion, "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            "min_logprob_threshold": calibrate_min_logprob(results, criterion, numeric_tolerance),
        },
    )
    return report, results


def calibrate_min_logprob(results: list[StudentResult], criterion: str, tolerance, *, target: float = 0.97) -> float | None:
    """The confidence threshold for live fallback: the lowest minimum token log-probability
    at which the answers kept (at or above it) agree with the reference at least ``target`` of
    the time. None when no threshold reaches it (then confidence alone sends nothing back)."""
    scored = sorted(((r.min_logprob, agreement(r.row, criterion, numeric_tolerance=tolerance)) for r in results), reverse=True)
    if not scored:
        return None
    best, kept, good = None, 0, 0
    for score, ok in scored:
        kept += 1
        good += ok
        if good / kept >= target:
            best = score
    return best


def report_paths(site: str, label: str) -> tuple[Path, Path]:
    folder = settings().home / "reports" / site_slug(site)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return folder / f"{label}-{stamp}.json", folder / f"{label}-{stamp}.html"


def write_reports(site: str, label: str, report: EvalReport, *, compare_to: EvalReport | None = None, decision=None) -> tuple[Path, Path]:
    json_path, html_path = report_paths(site, label)
    write_json(report, json_path)
    write_html(report, html_path, title=f"{site} {label}", compare_to=compare_to, decision=decision)
    return json_path, html_path


def load_report(data: dict | str | None) -> EvalReport | None:
    if data is None:
        return None
    return EvalReport.model_validate(json.loads(data) if isinstance(data, str) else data)
