"""What every teacher backend receives and returns. The router never branches on the backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class TeacherRequest:
    site: str
    fingerprint: str
    messages: list[dict]
    output_schema: dict
    inputs: dict
    """JSON-ready inputs by argument name."""
    args: dict = field(default_factory=dict)
    """The call's Python values by argument name (callable teachers receive these)."""
    attempt: int = 1


@dataclass
class TeacherReply:
    text: str
    model: str
    tokens_in: int | None = None
    tokens_out: int | None = None


@runtime_checkable
class Teacher(Protocol):
    model: str

    def complete(self, request: TeacherRequest) -> TeacherReply: ...


def output_as_text(value: Any) -> str:
    """A Python answer (a model, a dict, a string) as the JSON text a teacher would have sent."""
    import json

    from pydantic import BaseModel, TypeAdapter

    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(TypeAdapter(type(value)).dump_python(value, mode="json"), ensure_ascii=False)
