"""Running a model on eval cases, and the reports that come out: a student version on a call
site's locked eval split (:func:`evaluate_version`), and the answer functions an app's
:class:`~protege.evaluate.plugin.Evaluator` runs on its own cases (a student version, any GGUF
on the student or the teacher prompt, a teacher).

This is the impure half of evaluation (it loads models and reads the store); the metrics, gate
and report rendering it calls are pure (see the rest of :mod:`protege.evaluate`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from protege.answering import looked_again, resampled
from protege.callsite import CallSite
from protege.config import settings
from protege.errors import CallSiteError, OutputParseError, TeacherError
from protege.evaluate.jsonleaves import NumericTolerance
from protege.evaluate.metrics import agreement, evaluate_rows
from protege.evaluate.models import EvalReport, EvalRow, ValidatorVerdict
from protege.evaluate.plugin import Answer
from protege.evaluate.report import write_html, write_json
from protege.evaluate.schema_paths import enum_fields_from_schema
from protege.graduation import graduation_of
from protege.registry import ModelVersion, site_slug
from protege.store import ExampleRow
from protege.students.runtime import StudentRuntime
from protege.teachers import Teacher, TeacherRequest
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
    """Answer every example with the version's student, as serving would (its decode schema for
    those inputs, its resamples), and report on it. A resampled row's latency is that of all its
    tries; on a site that resamples, ``slices["attempts"]`` says how many there were."""
    runtime = load_student(site, version)
    results = []
    for i, example in enumerate(examples, start=1):
        tries = resampled(site, example.inputs, version, runtime=runtime)
        if tries[-1].answer is None:
            raise CallSiteError(f"{site.name} {version.label} cannot answer example {example.id}: {tries[-1].reason}")
        slices = {"tags": list(example.tags or []), "source": example.source,
                  **({"attempts": str(len(tries))} if graduation_of(site).resample else {})}
        result = judge_answer(site, tries[-1].answer, reference_of(site, example), inputs=example.inputs,
                              row_id=example.id, slices=slices)
        result.row.latency_ms = sum(t.answer.latency_ms for t in tries if t.answer)
        results.append(result)
        if progress:
            progress(i, len(examples))
    report = evaluate_rows(
        [r.row for r in results],
        numeric_tolerance=numeric_tolerance,
        enum_fields=enum_fields_from_schema(site.output_schema) or None,
        meta={
            "label": f"{site.name} {version.label}", "site": site.name, "version": version.version,
            "fingerprint": site.fingerprint, "criterion": criterion, "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            # a confidence floor judges greedy answers only: none for a site that samples them
            "min_logprob_threshold": (calibrate_min_logprob(results, criterion, numeric_tolerance)
                                      if graduation_of(site).temperature == 0 else None),
        },
    )
    return report, results


def load_student(site: CallSite, version: ModelVersion) -> StudentRuntime:
    """The version's student, loaded and checked against its recorded SHA-256; a
    :class:`CallSiteError` when the site now shows the student other inputs than it was trained on."""
    changed = site.student_view_changed(version.train_config)
    if changed:
        raise CallSiteError(f"{site.name} {version.label}: {changed}")
    return StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256)


def student_answerer(site: CallSite, version: ModelVersion) -> Answer:
    """A version's student as an :data:`Answer`: the site's student prompt, constrained decoding."""
    return _runtime_answerer(site, load_student(site, version), site.student_prompt)


def gguf_answerer(site: CallSite, gguf_path: Path, *, prompt: str = "student", n_ctx: int = 2048,
                  expected_sha256: str | None = None) -> Answer:
    """Any GGUF file as an :data:`Answer` under the site's constrained decoding: a student snapshot
    on the student prompt, or a base model on the teacher's prompt (``prompt="teacher"``, the
    prompt-only baseline: the last teacher message, which carries the instructions and inputs)."""
    if prompt not in ("student", "teacher"):
        raise ValueError(f"prompt must be 'student' or 'teacher', not {prompt!r}")
    runtime = StudentRuntime.load(gguf_path, n_ctx=n_ctx, expected_sha256=expected_sha256)
    render = site.student_prompt if prompt == "student" else (lambda inputs: site.teacher_messages(inputs)[-1]["content"])
    return _runtime_answerer(site, runtime, render)


def _runtime_answerer(site: CallSite, runtime: StudentRuntime, render: Callable[[dict], str]) -> Answer:
    """Answers under the site's constrained decoding, after the site's second look (an answer it
    refuses to serve is scored as no answer)."""
    def answer(inputs: dict) -> tuple[str, float]:
        def ask(shown: dict):
            return runtime.answer(render(shown), site.decode_schema_for(shown))

        result, served = looked_again(site, inputs, ask(inputs), ask)
        return (result.text if served else "(no answer: refused on the site's second look)"), result.latency_ms

    return answer


def teacher_answerer(site: CallSite, teacher: Teacher) -> Answer:
    """A teacher as an :data:`Answer`: one request, as the router's first attempt sends it; a
    teacher error becomes the answer text (scored as invalid), so one failure never stops an eval.
    Nothing is recorded: eval answers must not become examples."""
    def answer(inputs: dict) -> tuple[str, float]:
        started = time.perf_counter()
        request = TeacherRequest(site=site.name, fingerprint=site.fingerprint, messages=site.teacher_messages(inputs),
                                 output_schema=site.output_schema, inputs=inputs, args=inputs)
        try:
            text = teacher.complete(request).text
        except TeacherError as exc:
            text = f"(teacher error: {exc})"
        return text, (time.perf_counter() - started) * 1000

    return answer


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
