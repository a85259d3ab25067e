"""A Python callable as teacher: labelled data generators, rules, or another library's client.

The callable receives the call site's arguments by name and returns the answer: a pydantic model,
a dict, or JSON text. Async callables are awaited on a private event loop (the router runs on a
worker thread for async call sites, so there is never a running loop to collide with).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from protege.errors import TeacherError
from protege.teachers.base import TeacherReply, TeacherRequest, output_as_text


class CallableTeacher:
    def __init__(self, fn: Callable[..., Any], model: str | None = None):
        self.fn = fn
        self.model = model or getattr(fn, "model", None) or f"callable:{getattr(fn, '__qualname__', type(fn).__name__)}"

    def complete(self, request: TeacherRequest) -> TeacherReply:
        try:
            result = self.fn(**request.args)
            if inspect.isawaitable(result):
                result = asyncio.run(_await(result))
        except TeacherError:
            raise
        except Exception as exc:
            raise TeacherError(f"teacher {self.model} raised {type(exc).__name__}: {exc}") from exc
        return TeacherReply(text=output_as_text(result), model=self.model)


async def _await(awaitable):
    return await awaitable
