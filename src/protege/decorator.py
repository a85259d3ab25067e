"""``@protege.llm``: a typed function becomes a call site whose every call the router answers."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import Any

from protege.callsite import CallSite
from protege.router import call_site
from protege.validators import Validator


def llm(
    fn: Callable | None = None,
    *,
    teacher: Any = None,
    validators: Sequence[Callable | Validator] = (),
    name: str | None = None,
    graduation: Any = None,
    student_inputs: Sequence[str] | None = None,
    decode_schema: dict | Callable[[dict], dict] | None = None,
    decode_for: Callable[[dict, dict], dict] | None = None,
    student_hints: Callable[[dict], dict] | None = None,
    second_look: Callable[[dict, Any, Callable[[dict], Any]], Any] | None = None,
):
    """Mark a typed function as an LLM call site.

    ``teacher`` is a spec string (``"openai:gpt-4o-mini"``, ``"ollama:qwen2.5:3b"``,
    ``"http://127.0.0.1:8080/v1#model"``, ``"replay"``), a Teacher object, or any callable taking
    the function's arguments. ``validators`` check every answer (training data, live student
    answers, evals); ``graduation`` (a :class:`protege.graduation.Graduation`) sets the gate and
    the live checks. ``student_inputs`` names the (dotted) input paths the student sees, when
    some inputs matter only to code after the call. ``decode_schema`` (a schema, or a function of
    the output schema) narrows what the student may decode, e.g. words banned from free text;
    answers are still validated against the output schema; ``decode_for(schema, inputs)`` narrows
    it further per call, where the inputs fix part of the answer. ``student_hints(shown)`` returns
    fields that replace or join the shown inputs in the student's prompt (a gloss for each name a
    list offers, say); a version trained with other hints is not asked. ``second_look(inputs,
    answer, ask)`` may ask the student again on other inputs before its answer is judged, and keep,
    replace or drop the answer (:func:`protege.answering.looked_again`). Works on sync and async
    functions; the body is never run.
    """

    def decorate(f: Callable) -> Callable:
        site = CallSite(f, teacher=teacher, validators=validators, name=name, graduation=graduation,
                        student_inputs=student_inputs, decode_schema=decode_schema, decode_for=decode_for,
                        student_hints=student_hints, second_look=second_look)
        if site.is_async:

            @functools.wraps(f)
            async def async_wrapper(*args, **kwargs):
                return await asyncio.to_thread(call_site, site, args, kwargs)

            async_wrapper.site = site  # type: ignore[attr-defined]
            return async_wrapper

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return call_site(site, args, kwargs)

        wrapper.site = site  # type: ignore[attr-defined]
        return wrapper

    return decorate(fn) if fn is not None else decorate
