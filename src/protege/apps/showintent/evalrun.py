"""Running a model over ShowIntent eval cases: the student, the untrained base model
(prompt-only baseline, same constrained decoding), the call site's teacher, or any Ollama /
OpenAI-compatible model. Eval answers are never recorded as examples: the locked set must not
leak into training."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import protege
from protege.apps.showintent.callsite import parse_show_intent
from protege.apps.showintent.metrics import EVALUATOR, EvalCase
from protege.apps.showintent.schema import SCHEMA_VERSION

Answer = Callable[[dict], tuple[str, float]]
"""inputs -> (raw model output, latency ms)."""


class EvalSetupError(RuntimeError):
    pass


def resolve_model(name: str | None) -> str:
    """The model to evaluate: the --model option, else LLM_MODE (student by default)."""
    if name:
        return name
    mode = os.environ.get("LLM_MODE", "student").strip().lower()
    if mode in ("ollama", "openai"):
        model = os.environ.get("LLM_MODEL") or os.environ.get("OLLAMA_MODEL")
        if not model:
            raise EvalSetupError(f"LLM_MODE={mode} needs LLM_MODEL (e.g. qwen2.5:3b)")
        return f"{mode}:{model}"
    return mode


def check_schema_version() -> None:
    wanted = os.environ.get("LLM_SCHEMA_VERSION")
    if wanted and wanted != SCHEMA_VERSION:
        raise EvalSetupError(f"LLM_SCHEMA_VERSION={wanted} but this build speaks {SCHEMA_VERSION}")


def answerer(model: str) -> tuple[Answer, str]:
    """An answer function for ``model`` and the label reports show for it."""
    site = parse_show_intent.site
    if model == "student" or model.startswith("student@"):
        registry = protege.Registry()
        if "@" in model:
            version = registry.get(site.name, int(model.split("@")[1].lstrip("v")))
        else:
            version = registry.alias(site.name, "active") or registry.alias(site.name, "candidate")
        if version is None:
            raise EvalSetupError("no ShowIntent student yet: run `protege showintent demo` or `protege train` first")
        try:
            return protege.student_answerer(site, version), f"student {version.label}"
        except protege.CallSiteError as exc:  # the site now shows the student other inputs
            raise EvalSetupError(f"student {exc}") from exc
        except protege.StudentLoadError as exc:
            raise EvalSetupError(f"student {version.label}: {exc}") from exc
    if model == "base":  # the untrained base model on the teacher's prompt, same constrained decoding
        base = protege.resolve_base_model().gguf_path
        return protege.gguf_answerer(site, base, prompt="teacher", n_ctx=4096), "base model, prompt only"
    if model == "teacher":
        teacher = protege.default_router().teacher_for(site)
        return protege.teacher_answerer(site, teacher), f"teacher {teacher.model}"
    try:
        teacher = protege.resolve_teacher(model)
    except ValueError as exc:
        raise EvalSetupError(f"--model {model!r}: use student, base, teacher, ollama:NAME or openai:NAME ({exc})") from exc
    return protege.teacher_answerer(site, teacher), model


def run_eval(cases: list[EvalCase], model: str, *, progress=None, max_latency_ms: float | None = None) -> dict[str, Any]:
    """Answer every case and build the spec's report, with raw output and decision per case."""
    answer, label = answerer(model)
    return run_answers(cases, answer, label, progress=progress, max_latency_ms=max_latency_ms)


def gguf_answerer(gguf_path: Path, expected_sha256: str | None = None) -> Answer:
    """Answers from a student GGUF file: a registered version's (checked against its recorded
    SHA-256) or a bench's snapshot."""
    return protege.gguf_answerer(parse_show_intent.site, gguf_path, expected_sha256=expected_sha256)


def run_answers(cases: list[EvalCase], answer: Answer, label: str, *, progress=None,
                max_latency_ms: float | None = None) -> dict[str, Any]:
    """:func:`run_eval` for an answer function already in hand: protege's evaluator with the
    ShowIntent plug-in. Eval answers are never recorded as examples."""
    return EVALUATOR.run(cases, answer, model=label, progress=progress, max_latency_ms=max_latency_ms)


def reports_dir() -> Path:
    folder = protege.settings().home / "reports" / "showintent"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_report(report: dict, kind: str) -> Path:
    """Write ``<kind>-<timestamp>.json`` (and the same report as a page, ``.html``) and
    ``<kind>-latest.json``."""
    folder = reports_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(report, ensure_ascii=False, indent=1)
    path = folder / f"{kind}-{stamp}.json"
    path.write_text(text, encoding="utf-8")
    path.with_suffix(".html").write_text(EVALUATOR.html(report, css=protege.report_css()), encoding="utf-8")
    (folder / f"{kind}-latest.json").write_text(text, encoding="utf-8")
    return path


def latest_report(kind: str) -> dict | None:
    path = reports_dir() / f"{kind}-latest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
