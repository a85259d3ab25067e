"""Prompt rendering. One renderer for each audience, used identically everywhere.

The teacher sees the whole function: its name, docstring, each argument with its type and value,
and the output JSON schema. The student sees only the inputs — the call site is its whole world —
which cuts training and inference tokens several-fold. Changing either template means bumping
``PROMPT_TEMPLATE_VERSION``, which changes every fingerprint and so starts new datasets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

PROMPT_TEMPLATE_VERSION = "1"

TEACHER_SYSTEM = (
    "You implement a function whose body is a language model. Read its description and "
    "arguments, and answer with one JSON value that matches the output JSON schema."
)
REPAIR_REQUEST = (
    "That answer could not be used: {error}\n"
    "Answer again with only the corrected JSON, matching the output JSON schema."
)


def render_teacher_messages(
    *, function_name: str, docstring: str, arguments: list[tuple[str, str, Any]], output_schema: dict
) -> list[dict]:
    """Chat messages for the teacher. ``arguments`` holds (name, type label, JSON value)."""
    lines = [f"Function: {function_name}"]
    if docstring:
        lines += ["", docstring.strip()]
    lines += ["", "Arguments:"]
    if not arguments:
        lines.append("(none)")
    for name, type_label, value in arguments:
        lines.append(f"- {name} ({type_label}) = {json.dumps(value, ensure_ascii=False)}")
    lines += [
        "",
        "Output JSON schema:",
        json.dumps(output_schema, ensure_ascii=False, separators=(",", ":")),
        "",
        "Answer with JSON only.",
    ]
    return [{"role": "system", "content": TEACHER_SYSTEM}, {"role": "user", "content": "\n".join(lines)}]


def render_student_prompt(inputs: dict, view: tuple[str, ...] | None = None,
                          hints: Callable[[dict], dict] | None = None) -> str:
    """The student's prompt: the inputs as compact JSON, in argument order — or, with a ``view``,
    only the dotted paths it names, in its order (see :func:`student_view`); ``hints`` returns
    fields that replace shown ones in place or join at the end."""
    shown = inputs if view is None else student_view(inputs, view)
    if hints is not None:
        shown = {**shown, **hints(shown)}
    return json.dumps(shown, ensure_ascii=False, separators=(",", ":"))


def student_view(inputs: dict, paths: tuple[str, ...]) -> dict:
    """The part of ``inputs`` a student needs: each dotted path copied into a nested dict.

    The teacher still sees everything; the student sees what the answer depends on. Inputs that
    only a later step uses (a policy's clock, say) are noise to a small model and cost tokens in
    every training step and every answer. A path missing from the inputs is left out.
    """
    shown: dict = {}
    for path in paths:
        head, *rest = path.split(".")
        if head not in inputs:
            continue
        if not rest:
            shown[head] = inputs[head]
            continue
        inner = inputs[head]
        if isinstance(inner, dict):
            nested = student_view(inner, (".".join(rest),))
            if nested:
                shown.setdefault(head, {}).update(nested)
    return shown


def render_repair_messages(messages: list[dict], bad_answer: str, error: str) -> list[dict]:
    return messages + [
        {"role": "assistant", "content": bad_answer},
        {"role": "user", "content": REPAIR_REQUEST.format(error=error)},
    ]


def messages_as_text(messages: list[dict]) -> str:
    """How a rendered prompt is stored: one block per message."""
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in messages)
