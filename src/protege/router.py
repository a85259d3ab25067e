"""The router: who answers a call, and what gets recorded.

Every call to a decorated function comes here. The call site's route decides who answers:

- ``teacher``: the teacher answers; the answer is recorded and becomes an example.
- ``shadow``: the teacher answers the caller; the active student answers the same inputs in the
  background (adding no latency) and its agreement with the teacher is recorded.
- ``student``: the active student answers (:mod:`protege.answering`). A schema failure, a failed
  validator, low confidence or a student error sends that request to the teacher, with the
  reason recorded; a site that resamples first tries up to N sampled answers, each recorded. A random
  fraction of requests is spot-checked against the teacher in the background.

Teacher answers always go through :meth:`Router.ask_teacher` (one repair re-ask, every attempt
recorded). Student answers are recorded as calls and never become examples.

A :class:`Router` owns the per-site serving state: resolved teachers, the briefly cached route
and active version, and the background worker for shadow answers and spot checks. One default
router serves the process (:func:`default_router`); ``protege.configure`` closes it, and it is
closed at exit after its background work is done. The module functions (``drain``,
``forget_state``, ``last_call``, ``teacher_for``) act on the default router.
"""

from __future__ import annotations

import atexit
import logging
import random
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from protege import config
from protege.answering import FallbackReason, Try, resampled
from protege.costs import estimate_cost
from protege.errors import OutputParseError, TeacherError
from protege.evaluate.metrics import agreement
from protege.evaluate.models import EvalRow, ValidatorVerdict
from protege.graduation import graduation_of, note_shadow, note_spot_check
from protege.prompts import messages_as_text, render_repair_messages
from protege.redact import redact_text, redact_value
from protege.registry import ModelVersion, Registry
from protege.store import CallRecord, ExampleIn, Store
from protege.teachers import Teacher, TeacherRequest, resolve_teacher
from protege.validators import run_validators

if TYPE_CHECKING:
    from protege.callsite import CallSite

log = logging.getLogger("protege.router")
STATE_TTL_SECONDS = 1.0


@dataclass
class SiteState:
    route: str
    active: ModelVersion | None
    read_at: float


class Router:
    """Serves call sites: one per process by default, or one per test or embedding app."""

    def __init__(self) -> None:
        self._teachers: weakref.WeakKeyDictionary[CallSite, Teacher] = weakref.WeakKeyDictionary()
        self._state: dict[str, SiteState] = {}
        self._lock = threading.Lock()
        self._background: ThreadPoolExecutor | None = None
        self._pending: set[Future] = set()
        self._last = threading.local()
        self._closed = False

    # ----- one call
    def call(self, site: CallSite, args: tuple, kwargs: dict) -> Any:
        """Answer one call of ``site``."""
        values, inputs = site.bind(args, kwargs)
        store = Store.default()
        store.register_site(site.name, site.fingerprint, site.input_schema, site.output_schema)
        state = self.site_state(site.name, store)
        self._last.info = {"site": site.name, "route": state.route, "answered_by": "teacher", "model": None, "fallback": None}
        if state.route == "student" and state.active is not None:
            return self._serve_student(site, values, inputs, state.active, store)
        output = self.ask_teacher(site, values, inputs, store=store)
        self._last.info["model"] = self.teacher_for(site).model
        if state.route == "shadow" and state.active is not None:
            self._in_background(self._shadow, site, inputs, site.normal_form(output), state.active, store)
        return output

    def last_call(self) -> dict:
        """Who answered the last call made on this thread: route, answered_by, model, fallback."""
        return dict(getattr(self._last, "info", {}) or {})

    def teacher_for(self, site: CallSite) -> Teacher:
        with self._lock:  # per site object: two definitions of one name may name two teachers
            if site not in self._teachers:
                self._teachers[site] = resolve_teacher(site.teacher_spec)
            return self._teachers[site]

    # ----- the teacher path
    def ask_teacher(self, site: CallSite, values: dict, inputs: dict, *, store: Store, meta: dict | None = None) -> Any:
        """Ask, parse, repair once, record every attempt. Returns the validated output."""
        teacher = self.teacher_for(site)
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
                _record_teacher(store, site, inputs, messages, reply.model, started, reply=reply,
                                error=f"{exc.kind}: {exc}", meta=extra)
                if attempt == 2:
                    raise
                messages = render_repair_messages(messages, reply.text, str(exc))
                continue
            verdicts = run_validators(site.validators, output, inputs)
            _record_teacher(store, site, inputs, messages, reply.model, started, reply=reply,
                            parsed=site.dump_output(output), verdicts=verdicts, meta=extra)
            return output
        raise AssertionError("unreachable")

    # ----- the student path
    def _serve_student(self, site: CallSite, values: dict, inputs: dict, version: ModelVersion, store: Store) -> Any:
        grad = graduation_of(site)
        spot_check = random.random() < grad.spot_check_fraction
        seed = random.randrange(2**31) if grad.temperature > 0 else 0  # a sampling site varies per call
        call_ids: list[int] = []

        def record(tried: Try) -> None:
            call_ids.append(_record_student(store, site, inputs, version, tried.answer, tried.output, tried.verdicts, meta={
                "live": "serve", **_fallback_meta(tried.reason), "spot_check": spot_check and tried.reason is None,
                **({"attempt": tried.attempt} if grad.resample else {}), **({"seed": seed} if seed else {})}))

        tries = resampled(site, inputs, version, on_try=record, seed=seed)
        last, call_id = tries[-1], call_ids[-1]
        self._last.info.update(answered_by="student", model=f"{site.name}@v{version.version}",
                               latency_ms=sum(t.answer.latency_ms for t in tries if t.answer), attempts=len(tries))
        if last.reason is not None:
            reason = last.reason if len(tries) == 1 else FallbackReason(
                last.reason.kind, f"{last.reason.text} (after {len(tries)} samples)")
            self._last.info.update(answered_by="teacher", model=self.teacher_for(site).model, fallback=str(reason))
            teacher_output = self.ask_teacher(site, values, inputs, store=store,
                                              meta={"fallback_for": call_id, **_fallback_meta(reason)})
            if spot_check:  # the teacher answered anyway: the check costs nothing more
                agree = last.output is not None and outputs_agree(
                    site, site.normal_form(teacher_output), site.normal_form(last.output), last.verdicts)
                store.update_call_meta(call_id, {"live": "spot_check", "agree": agree})
                self._after_monitoring(note_spot_check(site, version.version, store, Registry(store)), site)
            return teacher_output
        if spot_check:
            self._in_background(self._spot_check, site, values, inputs, site.normal_form(last.output), last.verdicts,
                                version, call_id, store)
        return last.output

    # ----- background work: shadow answers and spot checks
    def _shadow(self, site: CallSite, inputs: dict, teacher_dump: Any, version: ModelVersion, store: Store) -> None:
        tried = resampled(site, inputs, version)[-1]  # what serving would have answered
        agree = tried.output is not None and outputs_agree(site, teacher_dump, site.normal_form(tried.output), tried.verdicts)
        _record_student(store, site, inputs, version, tried.answer, tried.output, tried.verdicts,
                        meta={"live": "shadow", "agree": agree, "would_fallback": str(tried.reason) if tried.reason else None,
                              **({"attempt": tried.attempt} if tried.attempt > 1 else {})})
        self._after_monitoring(note_shadow(site, version.version, store, Registry(store)), site)

    def _spot_check(self, site, values, inputs, student_dump, verdicts, version, call_id, store) -> None:
        teacher_output = self.ask_teacher(site, values, inputs, store=store, meta={"spot_check_of": call_id})
        agree = outputs_agree(site, site.normal_form(teacher_output), student_dump, verdicts)
        store.update_call_meta(call_id, {"live": "spot_check", "agree": agree})
        self._after_monitoring(note_spot_check(site, version.version, store, Registry(store)), site)

    def _after_monitoring(self, changed: bool, site: CallSite) -> None:
        if changed:
            self.forget_state(site.name)

    def _in_background(self, fn, *args) -> None:
        with self._lock:
            if self._background is None:
                self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="protege-bg")
            future = self._background.submit(_logged, fn, *args)
            self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def drain(self, timeout: float | None = None) -> None:
        """Wait for background shadow answers and spot checks (tests and short scripts call this)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pending:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            for future in list(self._pending):
                future.result(remaining)

    def close(self) -> None:
        """Finish background work and stop the worker thread; the router serves no more calls."""
        self.drain()
        with self._lock:
            if self._background is not None:
                self._background.shutdown(wait=True)
                self._background = None
            self._closed = True

    # ----- route and active version, cached briefly
    def site_state(self, name: str, store: Store) -> SiteState:
        with self._lock:
            found = self._state.get(name)
        if found and time.monotonic() - found.read_at < STATE_TTL_SECONDS:
            return found
        route = store.route(name)
        active = Registry(store).alias(name, "active") if route != "teacher" else None
        state = SiteState(route=route, active=active, read_at=time.monotonic())
        with self._lock:
            self._state[name] = state
        return state

    def forget_state(self, name: str | None = None) -> None:
        """Read the route and active version again on the next call (after a change)."""
        with self._lock:
            if name is None:
                self._state.clear()
            else:
                self._state.pop(name, None)


def _fallback_meta(reason: FallbackReason | None) -> dict:
    return {"fallback": reason.text if reason else None, "fallback_kind": reason.kind.value if reason else None}


def outputs_agree(site: CallSite, teacher_dump: Any, student_dump: Any, verdicts: dict | None) -> bool:
    """Does a student answer agree with the teacher's under the site's gate criterion?
    Both answers come in :meth:`CallSite.normal_form`."""
    grad = graduation_of(site)
    row = EvalRow(
        id=0, reference=teacher_dump, parsed=student_dump, schema_valid=student_dump is not None,
        verdicts={k: ValidatorVerdict(v["ok"], v["reason"], v["safety"]) for k, v in (verdicts or {}).items()},
    )
    return agreement(row, grad.gate.criterion, numeric_tolerance=grad.numeric_tolerance)


def _record_teacher(store, site, inputs, messages, model, started, *, reply=None, parsed=None, verdicts=None, error=None, meta=None):
    """Store one teacher attempt (redacted); a successful one also becomes an example."""
    clean = _redactor()
    clean_inputs, clean_parsed = clean(inputs), clean(parsed) if parsed is not None else None
    call = CallRecord(
        site=site.name, fingerprint=site.fingerprint, role="teacher", model=model, inputs=clean_inputs,
        prompt=clean(messages_as_text(messages)), raw_output=clean(reply.text) if reply else None,
        parsed_output=clean_parsed, verdicts=verdicts, latency_ms=(time.perf_counter() - started) * 1000,
        tokens_in=reply.tokens_in if reply else None, tokens_out=reply.tokens_out if reply else None,
        cost_usd=estimate_cost(model, reply.tokens_in, reply.tokens_out) if reply else None,
        error=error, meta={**_origin(site), **(meta or {})},
    )
    example = None
    if clean_parsed is not None:
        example = ExampleIn(inputs=clean_inputs, output=clean_parsed, source="teacher", teacher_model=model,
                            verdicts=verdicts, provenance={"attempt": (meta or {}).get("attempt", 1)})
    return store.record_call(call, example)


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
        meta={"version": version.version, **_origin(site), **meta,
              **({"mean_logprob": answer.mean_logprob, "min_logprob": answer.min_logprob} if answer else {})},
    )
    return store.record_call(call)


def _origin(site: CallSite) -> dict:
    """Where the call site is defined (``file:line``), kept with each call it answers."""
    return {"origin": site.origin} if getattr(site, "origin", None) else {}


def _logged(fn, *args) -> None:
    try:
        fn(*args)
    except Exception:
        log.exception("background %s failed", getattr(fn, "__name__", fn))


def _redactor():
    cfg = config.settings()
    if not cfg.redact:
        return lambda value: value
    terms = cfg.redact_terms
    return lambda value: redact_text(value, extra_terms=terms) if isinstance(value, str) else redact_value(value, extra_terms=terms)


# ----- the process's default router
_default: Router | None = None
_default_lock = threading.Lock()


def default_router() -> Router:
    """The router that decorated functions use, created on first use."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = Router()
        return _default


def close_default_router() -> None:
    """Finish the default router's background work and drop it (configure and exit call this)."""
    global _default
    with _default_lock:
        router, _default = _default, None
    if router is not None:
        router.close()


config.on_change(close_default_router)
atexit.register(close_default_router)


def call_site(site: CallSite, args: tuple, kwargs: dict) -> Any:
    return default_router().call(site, args, kwargs)


def last_call() -> dict:
    """Who answered the last call made on this thread: route, answered_by, model, fallback."""
    return default_router().last_call()


def teacher_for(site: CallSite) -> Teacher:
    return default_router().teacher_for(site)


def drain(timeout: float | None = None) -> None:
    """Wait for the default router's background shadow answers and spot checks."""
    default_router().drain(timeout)


def forget_state(name: str | None = None) -> None:
    default_router().forget_state(name)
