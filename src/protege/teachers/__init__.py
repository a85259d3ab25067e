"""Teacher backends, one module each, all behind :class:`Teacher`.

``resolve_teacher`` turns what a user wrote in ``@protege.llm(teacher=...)`` into a backend.
"""

from __future__ import annotations

import os
from typing import Any

from protege.teachers.base import Teacher, TeacherReply, TeacherRequest
from protege.teachers.callable_teacher import CallableTeacher
from protege.teachers.litellm_teacher import LiteLLMTeacher
from protege.teachers.openai_compat import OpenAITeacher
from protege.teachers.replay import ReplayTeacher

__all__ = ["Teacher", "TeacherReply", "TeacherRequest", "resolve_teacher"]


def resolve_teacher(spec: Any) -> Teacher:
    """A Teacher from a spec string, a Teacher object, or a plain callable."""
    if spec is None:
        spec = os.environ.get("PROTEGE_TEACHER")
        if not spec:
            raise ValueError(
                "this call site has no teacher: pass @protege.llm(teacher=...) "
                "(e.g. 'openai:gpt-4o-mini', 'ollama:qwen2.5:3b', a callable) or set PROTEGE_TEACHER"
            )
    if isinstance(spec, Teacher) and not isinstance(spec, type):
        return spec
    if isinstance(spec, str):
        if spec == "replay":
            return ReplayTeacher()
        if spec.startswith("litellm:"):
            return LiteLLMTeacher(spec.removeprefix("litellm:"))
        if spec.startswith(("openai:", "ollama:", "http://", "https://")):
            return OpenAITeacher.from_spec(spec)
        raise ValueError(
            f"unknown teacher {spec!r}: use 'openai:MODEL', 'ollama:MODEL', 'http://HOST/v1#MODEL', "
            "'litellm:PROVIDER/MODEL', 'replay', or a callable"
        )
    if callable(spec):
        return CallableTeacher(spec)
    raise ValueError(f"cannot use {spec!r} as a teacher")
