"""The router: who answers a call, and what gets recorded.

Every call to a decorated function comes here. The call site's route decides who answers:

- ``teacher``: the teacher answers; the answer is recorded and becomes an example.
- ``shadow``: the teacher answers the caller; the active student answers the same inputs in the
  background (adding no latency) and its agreement with the teacher is recorded.
- ``student``: the active student answers. A schema failure, a failed validator, low confidence
  or a student error sends that request to the teacher, with the reason recorded. A random
  fraction of requests is spot-checked against the teacher in the background.

Teacher answers always go through :func:`ask_teacher` (one repair re-ask, every attempt
recorded). Student answers are recorded as calls and never become examples.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from protege.callsite import CallSite
from protege.config import settings
from protege.errors import OutputParseError, TeacherError
from protege.prompts import messages_as_text, render_repair_messages
from protege.redact import redact_text, redact_value
from protege.store import CallRecord, ExampleIn, Store
from protege.teachers import Teacher, TeacherRequest, resolve_teacher
from protege.validators import run_validators

log = logging.getLogger("protege.router")
STATE_TTL_SECONDS = 1.0

_teachers: dict[int, Teacher] = {}
_state: dict[str, SiteState] = {}
_state_lock = threading.Lock()
_background: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_last = threading.local()


@dataclass
class SiteState:
    route: str
    active: Any  # ModelVersion | None
    read_at: float


def teacher_for(site: CallSite) -> Teacher:
    key = id(site)
    if key not in _teachers:
        _teachers[key] = resolve_teacher(site.teacher_spec)
    return _teachers[key]


def call_site(site: CallSite, args: tuple, kwargs: dict) -> Any:
    """Answer one call of ``site``."""
    values, inputs = site.bind(args, kwargs)
    store = Store.default()
    store.register_site(site.name, site.fingerprint, site.input_schema, site.output_schema)
    state = site_state(site.name, store)
    _last.info = {"site": site.name, "route": state.route, "answered_by": "teacher", "model": None, "fallback": None}
    if state.route == "student" and state.active is not None:
        return _serve_student(site, values, inputs, state.active, store)
    output = ask_teacher(site, values, inputs, store=store)
    _last.info["model"] = teacher_for(site).model
    if state.route == "shadow" and state.active is not None:
        _in_background(_shadow, site, inputs, site.normal_form(output), state.active, store)
    return output


def last_call() -> dict:
    """Who answered the last call made on this thread: route, answered_by, model, fallback."""
    return dict(getattr(_last, "info", {}) or {})


# ----- the teacher path
def ask_teacher(site: CallSite, values: dict, inputs: dict, *, store: Store, meta: dict | None = None) -> Any:
    """Ask, parse, repair once, record every attempt. Returns the validated output."""
    teacher = teacher_for(site)
    messages = site.teacher_messages(inputs)
    for attempt in (1, 2):
        request = TeacherRequest(
            site=site.name, fingerprint=site.fingerprint, messages=messages,
            output_schema=site.output_schema, inputs=inputs, args=values, attempt=attempt,
        )
        started = time.perf_counter()
        extra = {"attempt": attempt, **(meta or {})}
        try:
            reply = teacher.complete(request)
        except TeacherError as exc:
            _record_teacher(store, site, inputs, messages, teacher.model, started, error=str(exc), meta=extra)
            raise
        try:
            output = site.parse(reply.text)
        except OutputParseError as exc:
            _record_teacher(store, site, inputs, messages, reply.model, started, reply=reply, error=f"{exc.kind}: {exc}", meta=extra)
            if attempt == 2:
                raise
            messages = render_repair_messages(messages, reply.text, str(exc))
            continue
        verdicts = run_validators(site.validators, output, inputs)
        _record_teacher(store, site, inputs, messages, reply.model, started, reply=reply,
                        parsed=site.dump_output(output), verdicts=verdicts, meta=extra)
        return output
    raise AssertionError("unreachable")


def _record_teacher(store, site, inputs, messages, model, started, *, reply=None, parsed=None, verdicts=None, error=None, meta=None):
    """Store one teacher attempt (redacted); a successful one also becomes an example."""
    clean = _redactor()
    clean_inputs, clean_parsed = clean(inputs), clean(parsed) if parsed is not None else None
    call = CallRecord(
        site=site.name, fingerprint=site.fingerprint, role="teacher", model=model, inputs=clean_inputs,
        prompt=clean(messages_as_text(messages)), raw_output=clean(reply.text) if reply else None,
        parsed_output=clean_parsed, verdicts=verdicts, latency_ms=(time.perf_counter() - started) * 1000,
        tokens_in=reply.tokens_in if reply else None, tokens_out=reply.tokens_out if reply else None,
        cost_usd=_cost(model, reply), error=error, meta=meta or {},
    )
    example = None
    if clean_parsed is not None:
        example = ExampleIn(inputs=clean_inputs, output=clean_parsed, source="teacher", teacher_model=model,
                            verdicts=verdicts, provenance={"attempt": (meta or {}).get("attempt", 1)})
    return store.record_call(call, example)


# ----- the student path
def _serve_student(site: CallSite, values: dict, inputs: dict, version, store: Store) -> Any:
    from protege.graduation import graduation_of, note_spot_check
    from protege.registry import Registry

    grad = graduation_of(site)
    spot_check = random.random() < grad.spot_check_fraction
    answer, output, verdicts, reason = _student_answer(site, inputs, version, grad)
    call_id = _record_student(store, site, inputs, version, answer, output, verdicts,
                              meta={"live": "serve", "fallback": reason, "spot_check": spot_check})
    _last.info.update(answered_by="student", model=f"{site.name}@v{version.version}",
                      latency_ms=answer.latency_ms if answer else None)
    if reason is not None:
        _last.info.update(answered_by="teacher", model=teacher_for(site).model, fallback=reason)
        teacher_output = ask_teacher(site, values, inputs, store=store, meta={"fallback_for": call_id, "fallback": reason})
        if spot_check:  # the teacher answered anyway: the check costs nothing more
            agree = output is not None and outputs_agree(site, site.normal_form(teacher_output), site.normal_form(output), verdicts)
            store.update_call_meta(call_id, {"live": "spot_check", "agree": agree})
            note_spot_check(site, version.version, store, Registry(store))
        return teacher_output
    if spot_check:
        _in_background(_spot_check, site, values, inputs, site.normal_form(output), verdicts, version, call_id, store)
    return output


def _student_answer(site: CallSite, inputs: dict, version, grad):
    """(answer, output, verdicts, fallback reason or None) from the version's student."""
    from protege.students.runtime import StudentRuntime

    changed = site.student_view_changed(version.train_config)
    if changed:
        return None, None, None, f"student_view_changed: {changed}"
    try:
        answer = StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256).answer(site.student_prompt(inputs), site.output_schema)
    except Exception as exc:  # a student that cannot answer must never fail the caller
        log.warning("student %s v%s failed: %s", site.name, version.version, exc)
        return None, None, None, f"student_error: {type(exc).__name__}: {exc}"
    if answer.parsed_json is None:
        return answer, None, None, f"invalid_json: {answer.finish_reason}"
    try:
        output = site.validate(answer.parsed_json, raw_text=answer.text)
    except OutputParseError as exc:
        return answer, None, None, f"schema_invalid: {exc}"
    verdicts = run_validators(site.validators, output, inputs)
    failed = [name for name, v in verdicts.items() if not v["ok"]]
    if failed:
        return answer, output, verdicts, f"validator: {', '.join(failed)}"
    floor = grad.min_logprob if grad.min_logprob is not None else _calibrated_floor(version)
    if floor is not None and answer.min_logprob < floor:
        return answer, output, verdicts, f"low_confidence: min logprob {answer.min_logprob:.3f} < {floor:.3f}"
    return answer, output, verdicts, None


def _calibrated_floor(version) -> float | None:
    report = version.eval_report or {}
    return (report.get("meta") or {}).get("min_logprob_threshold")


def _record_student(store, site, inputs, version, answer, output, verdicts, *, meta) -> int:
    clean = _redactor()
    call = CallRecord(
        site=site.name, fingerprint=site.fingerprint, role="student", model=f"{site.name}@v{version.version}",
        inputs=clean(inputs), prompt=clean(site.student_prompt(inputs)),
        raw_output=clean(answer.text) if answer else None,
        parsed_output=clean(site.dump_output(output)) if output is not None else None,
        verdicts=verdicts, latency_ms=answer.latency_ms if answer else None,
        tokens_in=answer.tokens_in if answer else None, tokens_out=answer.tokens_out if answer else None,
        cost_usd=0.0, error=meta.get("fallback"),
        meta={"version": version.version, **meta,
              **({"mean_logprob": answer.mean_logprob, "min_logprob": answer.min_logprob} if answer else {})},
    )
    return store.record_call(call)


def outputs_agree(site: CallSite, teacher_dump: Any, student_dump: Any, verdicts: dict | None) -> bool:
    """Does a student answer agree with the teacher's under the site's gate criterion?
    Both answers come in :meth:`CallSite.normal_form`."""
    from protege.evaluate.metrics import agreement
    from protege.evaluate.models import EvalRow, ValidatorVerdict
    from protege.graduation import graduation_of

    grad = graduation_of(site)
    row = EvalRow(
        id=0, reference=teacher_dump, parsed=student_dump, schema_valid=student_dump is not None,
        verdicts={k: ValidatorVerdict(v["ok"], v["reason"], v["safety"]) for k, v in (verdicts or {}).items()},
    )
    return agreement(row, grad.gate.criterion, numeric_tolerance=grad.numeric_tolerance)


# ----- background work: shadow answers and spot checks
def _shadow(site: CallSite, inputs: dict, teacher_dump: Any, version, store: Store) -> None:
    from protege.graduation import graduation_of, note_shadow
    from protege.registry import Registry

    answer, output, verdicts, reason = _student_answer(site, inputs, version, graduation_of(site))
    agree = output is not None and outputs_agree(site, teacher_dump, site.normal_form(output), verdicts)
    _record_student(store, site, inputs, version, answer, output, verdicts,
                    meta={"live": "shadow", "agree": agree, "would_fallback": reason})
    note_shadow(site, version.version, store, Registry(store))


def _spot_check(site, values, inputs, student_dump, verdicts, version, call_id, store) -> None:
    from protege.graduation import note_spot_check
    from protege.registry import Registry

    teacher_output = ask_teacher(site, values, inputs, store=store, meta={"spot_check_of": call_id})
    agree = outputs_agree(site, site.normal_form(teacher_output), student_dump, verdicts)
    store.update_call_meta(call_id, {"live": "spot_check", "agree": agree})
    note_spot_check(site, version.version, store, Registry(store))


def _in_background(fn, *args) -> None:
    global _background
    with _state_lock:
        if _background is None:
            _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="protege-bg")
        future = _background.submit(_logged, fn, *args)
        _pending.add(future)
    future.add_done_callback(_pending.discard)


def _logged(fn, *args) -> None:
    try:
        fn(*args)
    except Exception:
        log.exception("background %s failed", fn.__name__)


def drain(timeout: float | None = None) -> None:
    """Wait for background shadow answers and spot checks (tests and short scripts call this)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while _pending:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        for future in list(_pending):
            future.result(remaining)


# ----- route and active version, cached briefly
def site_state(name: str, store: Store) -> SiteState:
    with _state_lock:
        found = _state.get(name)
    if found and time.monotonic() - found.read_at < STATE_TTL_SECONDS:
        return found
    from protege.registry import Registry

    route = store.route(name)
    active = Registry(store).alias(name, "active") if route != "teacher" else None
    state = SiteState(route=route, active=active, read_at=time.monotonic())
    with _state_lock:
        _state[name] = state
    return state


def forget_state(name: str | None = None) -> None:
    with _state_lock:
        if name is None:
            _state.clear()
        else:
            _state.pop(name, None)


def _cost(model: str | None, reply) -> float | None:
    from protege.costs import estimate_cost

    if reply is None:
        return None
    return estimate_cost(model, reply.tokens_in, reply.tokens_out)


def _redactor():
    cfg = settings()
    if not cfg.redact:
        return lambda value: value
    terms = cfg.redact_terms
    return lambda value: redact_text(value, extra_terms=terms) if isinstance(value, str) else redact_value(value, extra_terms=terms)
