"""One student answer for one call, judged the way serving judges it.

:func:`student_answer` asks a version's student, parses and validates the answer, runs the call
site's validators and the confidence floor, and says why the answer may not be served (a
:class:`FallbackReason`) or that it may. The router serves with it; the gate and the evals
score with the same function, so what is measured is what would be served.

A call site may resample (``Graduation(resample=N)``): when the first answer fails the schema
or a validator, up to N more answers are sampled (temperature ``resample_temperature``, seeds
1..N after the first answer's seed, so a run can be replayed) before the teacher is asked. The
first answer is greedy unless ``Graduation(temperature=...)`` samples it too; the confidence
floor judges greedy answers only. :func:`resampled` runs that loop
and returns every try, first to last.

A call site may take a second look (``second_look``): before an answer is judged, the site may
ask the student again on other inputs that must not change it, and keep the answer, give another
(a refusal) or none (the teacher answers). :func:`looked_again` runs it; serving, the gate and
the evals all do, so what is measured is again what would be served.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from protege.errors import OutputParseError
from protege.graduation import graduation_of
from protege.registry import ModelVersion
from protege.students.runtime import DEFAULT_MAX_TOKENS, StudentAnswer, StudentRuntime
from protege.validators import run_validators

if TYPE_CHECKING:
    from protege.callsite import CallSite

log = logging.getLogger("protege.router")


class Fallback(str, Enum):
    """Why a student answer was not served: stored with the call as ``meta.fallback_kind``."""

    SCHEMA_INVALID = "schema_invalid"
    VALIDATOR_FAILED = "validator_failed"
    LOW_CONFIDENCE = "low_confidence"
    STUDENT_ERROR = "student_error"
    VIEW_CHANGED = "view_changed"
    SECOND_LOOK = "second_look"


RESAMPLED_KINDS = (Fallback.SCHEMA_INVALID, Fallback.VALIDATOR_FAILED)
"""The failures another sample can cure; the others go to the teacher at once."""


@dataclass(frozen=True)
class FallbackReason:
    kind: Fallback
    text: str
    """What a person reads, e.g. ``validator: not_black`` (stored as ``meta.fallback``)."""

    def __str__(self) -> str:
        return self.text


@dataclass
class Try:
    """One student answer: the raw answer, the validated output, the verdicts, and why it may
    not be served (None: it may). ``attempt`` counts from 1 (the greedy answer)."""

    answer: StudentAnswer | None
    output: Any
    verdicts: dict | None
    reason: FallbackReason | None
    attempt: int = 1


def answer_budget(version: ModelVersion) -> int:
    """How many tokens a version's answer may take: room for the longest answer it was trained
    on and a quarter more, never less than the runtime's default."""
    longest = (version.train_config or {}).get("longest_answer_tokens") or 0
    return max(DEFAULT_MAX_TOKENS, int(longest * 1.25) + 16)


def student_answer(site: CallSite, inputs: dict, version: ModelVersion, *, attempt: int = 1,
                   runtime: StudentRuntime | None = None, seed: int = 0) -> Try:
    """Ask the version's student once (``attempt`` 1: greedy, or sampled with ``seed`` at the
    site's ``temperature``; later: sampled with seed ``seed + attempt - 1``) and judge the answer."""
    grad = graduation_of(site)
    changed = site.student_view_changed(version.train_config)
    if changed:
        return Try(None, None, None, FallbackReason(Fallback.VIEW_CHANGED, f"student_view_changed: {changed}"), attempt)
    if attempt > 1:
        sampling = {"temperature": grad.resample_temperature, "seed": seed + attempt - 1}
    else:
        sampling = {"temperature": grad.temperature, "seed": seed} if grad.temperature > 0 else {}
    try:
        runtime = runtime or StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256)
        answer = runtime.answer(site.student_prompt(inputs), site.decode_schema_for(inputs),
                                max_tokens=answer_budget(version), **sampling)
        answer, served = looked_again(site, inputs, answer, lambda other: runtime.answer(
            site.student_prompt(other), site.decode_schema_for(other), max_tokens=answer_budget(version)))
    except Exception as exc:  # a student that cannot answer must never fail the caller
        log.warning("student %s v%s failed: %s", site.name, version.version, exc)
        return Try(None, None, None, FallbackReason(Fallback.STUDENT_ERROR, f"student_error: {type(exc).__name__}: {exc}"), attempt)
    if not served:
        return Try(answer, None, None, FallbackReason(Fallback.SECOND_LOOK, "second_look: no answer to serve"), attempt)
    if answer.parsed_json is None:
        return Try(answer, None, None, FallbackReason(Fallback.SCHEMA_INVALID, f"invalid_json: {answer.finish_reason}"), attempt)
    try:
        output = site.validate(answer.parsed_json, raw_text=answer.text)
    except OutputParseError as exc:
        return Try(answer, None, None, FallbackReason(Fallback.SCHEMA_INVALID, f"schema_invalid: {exc}"), attempt)
    verdicts = run_validators(site.validators, output, inputs)
    failed = [name for name, v in verdicts.items() if not v["ok"]]
    if failed:
        return Try(answer, output, verdicts, FallbackReason(Fallback.VALIDATOR_FAILED, f"validator: {', '.join(failed)}"), attempt)
    floor = confidence_floor(site, version)
    if floor is not None and answer.min_logprob < floor and not sampling:  # a floor judges greedy answers
        text = f"low_confidence: min logprob {answer.min_logprob:.3f} < {floor:.3f}"
        return Try(answer, output, verdicts, FallbackReason(Fallback.LOW_CONFIDENCE, text), attempt)
    return Try(answer, output, verdicts, None, attempt)


def looked_again(site: CallSite, inputs: dict, answer: StudentAnswer,
                 ask: Callable[[dict], StudentAnswer]) -> tuple[StudentAnswer, bool]:
    """The site's ``second_look`` at a student answer, and whether there is an answer to serve.
    ``ask`` answers other inputs (greedy). The answer comes back as it was when the site has no
    second look, the JSON is unreadable or the site keeps it; as the site's replacement when it
    gives one (the JSON as text, the first answer's confidence). Either way its latency holds every ask."""
    if site.second_look is None or answer.parsed_json is None:
        return answer, True
    spent: list[float] = []

    def ask_json(other: dict) -> Any:
        again = ask(other)
        spent.append(again.latency_ms)
        return again.parsed_json

    kept = site.second_look(inputs, answer.parsed_json, ask_json)
    timed = dataclasses.replace(answer, latency_ms=answer.latency_ms + sum(spent))
    if kept is None or kept == answer.parsed_json:
        return timed, kept is not None
    return dataclasses.replace(timed, text=json.dumps(kept, ensure_ascii=False), parsed_json=kept), True


def resampled(site: CallSite, inputs: dict, version: ModelVersion, *, runtime: StudentRuntime | None = None,
              on_try: Callable[[Try], None] | None = None, seed: int = 0) -> list[Try]:
    """The first answer, then up to ``Graduation.resample`` sampled ones while the last failed
    the schema or a validator. ``on_try`` sees each try as it is made (the router records it).
    ``seed`` is the first sampled answer's seed: evals keep 0, so they replay; serving draws one
    per call on a site that samples, so the same inputs get varied answers."""
    tries: list[Try] = []
    for attempt in range(1, graduation_of(site).resample + 2):
        tried = student_answer(site, inputs, version, attempt=attempt, runtime=runtime, seed=seed)
        tries.append(tried)
        if on_try is not None:
            on_try(tried)
        if tried.reason is None or tried.reason.kind not in RESAMPLED_KINDS:
            break
    return tries


def confidence_floor(site: CallSite, version: ModelVersion) -> float | None:
    """The lowest token log probability a greedy answer of ``version`` may have and still be
    served: the site's ``Graduation.min_logprob`` when it sets one, else the floor the gate
    calibrated on held-out answers (None: no floor, every valid answer is served)."""
    grad = graduation_of(site)
    if grad.min_logprob is not None:
        return grad.min_logprob
    return ((version.eval_report or {}).get("meta") or {}).get("min_logprob_threshold")
