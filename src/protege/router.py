"""The router: who answers a call, and what gets recorded.

Every call to a decorated function comes here. The route of the call site (teacher | shadow |
student) decides who answers. This module holds the teacher path: ask, parse, one repair re-ask
with the validation error, record every attempt, and turn each successful teacher answer into an
example. Student answers are recorded as calls and never as examples.
"""

from __future__ import annotations

import time
from typing import Any

from protege.callsite import CallSite
from protege.config import settings
from protege.errors import OutputParseError, TeacherError
from protege.prompts import messages_as_text, render_repair_messages
from protege.redact import redact_text, redact_value
from protege.store import CallRecord, ExampleIn, Store
from protege.teachers import Teacher, TeacherRequest, resolve_teacher
from protege.validators import run_validators

_teachers: dict[int, Teacher] = {}


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
    return ask_teacher(site, values, inputs, store=store)


def ask_teacher(site: CallSite, values: dict, inputs: dict, *, store: Store) -> Any:
    """The teacher path: ask, parse, repair once, record. Returns the validated output."""
    teacher = teacher_for(site)
    messages = site.teacher_messages(inputs)
    for attempt in (1, 2):
        request = TeacherRequest(
            site=site.name, fingerprint=site.fingerprint, messages=messages,
            output_schema=site.output_schema, inputs=inputs, args=values, attempt=attempt,
        )
        started = time.perf_counter()
        try:
            reply = teacher.complete(request)
        except TeacherError as exc:
            _record(store, site, inputs, messages, teacher.model, started, error=str(exc), attempt=attempt)
            raise
        try:
            output = site.parse(reply.text)
        except OutputParseError as exc:
            _record(store, site, inputs, messages, reply.model, started, reply=reply, error=f"{exc.kind}: {exc}", attempt=attempt)
            if attempt == 2:
                raise
            messages = render_repair_messages(messages, reply.text, str(exc))
            continue
        parsed = site.dump_output(output)
        verdicts = run_validators(site.validators, output, inputs)
        _record(store, site, inputs, messages, reply.model, started, reply=reply, parsed=parsed, verdicts=verdicts, attempt=attempt)
        return output
    raise AssertionError("unreachable")


def _record(store, site, inputs, messages, model, started, *, reply=None, parsed=None, verdicts=None, error=None, attempt=1):
    """Store one teacher attempt (redacted); a successful one also becomes an example."""
    cfg = settings()
    clean = _redactor(cfg)
    clean_inputs = clean(inputs)
    clean_parsed = clean(parsed) if parsed is not None else None
    call = CallRecord(
        site=site.name,
        fingerprint=site.fingerprint,
        role="teacher",
        model=model,
        inputs=clean_inputs,
        prompt=clean(messages_as_text(messages)),
        raw_output=clean(reply.text) if reply else None,
        parsed_output=clean_parsed,
        verdicts=verdicts,
        latency_ms=(time.perf_counter() - started) * 1000,
        tokens_in=reply.tokens_in if reply else None,
        tokens_out=reply.tokens_out if reply else None,
        error=error,
        meta={"attempt": attempt},
    )
    example = None
    if parsed is not None:
        example = ExampleIn(
            inputs=clean_inputs, output=clean_parsed, source="teacher", teacher_model=model,
            verdicts=verdicts, provenance={"attempt": attempt},
        )
    return store.record_call(call, example)


def _redactor(cfg):
    if not cfg.redact:
        return lambda value: value
    terms = cfg.redact_terms
    return lambda value: redact_text(value, extra_terms=terms) if isinstance(value, str) else redact_value(value, extra_terms=terms)
