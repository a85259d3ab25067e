"""What both wire formats share: reading a JSON body, chat messages, and answering a request
in a worker thread with the errors mapped to HTTP statuses.

The router blocks on the model, so every answer runs in Starlette's threadpool: concurrent
requests wait on their own model calls, not on each other.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from protege.errors import OutputParseError, TeacherError
from protege.serve.sites import SITE_HEADER, Answer, RequestError, Sites

ROLES = ("system", "user", "assistant", "tool", "developer")
MAX_DEPTH = 64
"""Deepest JSON nesting a request may have: schemas and show states need far less."""


async def read_json(request: Request) -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    body = await request.body()
    try:
        data = json.loads(body)
    except RecursionError as exc:
        raise RequestError("the body's JSON is nested too deeply") from exc
    except ValueError as exc:  # bad JSON, bad UTF-8, or an integer too long to read
        raise RequestError(f"the body is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise RequestError("the body must be a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise RequestError(f"the body's JSON is nested too deeply (more than {MAX_DEPTH} levels)")
    return data


def _depth(value: Any) -> int:
    """How deeply ``value`` nests, counted without recursion (what reads it later recurses)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)) and depth <= MAX_DEPTH:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, (dict, list)):
            return depth
    return deepest


def chat_messages(raw: Any) -> list[dict]:
    """``[{"role", "content"}]`` from a request's messages; text parts are joined, other parts refused."""
    if not isinstance(raw, list) or not raw:
        raise RequestError("'messages' must be a non-empty list")
    messages = []
    for i, message in enumerate(raw):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise RequestError(f"messages[{i}] needs a 'role', one of {', '.join(ROLES)}")
        content = message.get("content")
        if content is None:
            content = ""
        if isinstance(content, list):
            parts = []
            for part in content:
                if not (isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)):
                    raise RequestError(f"messages[{i}]: only text content parts are supported")
                parts.append(part["text"])
            content = "".join(parts)
        if not isinstance(content, str):
            raise RequestError(f"messages[{i}].content must be a string or a list of text parts")
        if message.get("images"):
            raise RequestError(f"messages[{i}]: images are not supported")
        messages.append({"role": message["role"], "content": content})
    return messages


def refuse_tools(data: dict) -> None:
    """Tool calling is not served: say so rather than answer as if no tools had been offered."""
    if data.get("tools") or data.get("functions"):
        raise RequestError("tools and function calling are not supported by protege serve")


def optional_str(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise RequestError(f"'{key}' must be a string")
    return value


async def answer(sites: Sites, request: Request, model: str | None, messages: list[dict], schema: dict | None) -> Answer:
    """Answer through the router in a worker thread; failures become 4xx/5xx with a reason."""
    header = request.headers.get(SITE_HEADER)
    try:
        return await run_in_threadpool(sites.answer, model, header, messages, schema)
    except TeacherError as exc:
        raise RequestError(f"the teacher could not answer: {_without_credentials(str(exc))}", 502) from exc
    except OutputParseError as exc:
        raise RequestError(f"the teacher's answer could not be used: {_without_credentials(str(exc))}", 502) from exc


def _without_credentials(message: str) -> str:
    """A teacher's error names its URL; a user:password in it stays on the server."""
    return re.sub(r"(\w+://)[^/\s@]+@", r"\1***@", message)


def required_model(data: dict) -> str:
    model = optional_str(data, "model")
    if not model:
        raise RequestError("'model' is required: name a call site as protege/SITE")
    return model


def protege_info(result: Answer) -> dict:
    """What protege adds to an answer, under the key ``protege``: the site and who answered."""
    return {"site": result.site, **{k: result.info.get(k) for k in ("route", "answered_by", "model", "fallback")}}


def protege_headers(result: Answer) -> dict:
    return {"x-protege-site": result.site, "x-protege-answered-by": str(result.info.get("answered_by", ""))}


def pieces(text: str, size: int = 32) -> list[str]:
    """The answer cut into stream chunks (at least one, so a client always sees a delta)."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]
