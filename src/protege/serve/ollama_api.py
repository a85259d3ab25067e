"""The Ollama-compatible API: ``POST /api/chat``, ``POST /api/generate`` (both stream NDJSON
unless ``"stream": false``, as Ollama does), ``GET /api/tags``, ``GET /api/version``. The
``format`` field (``"json"`` or a JSON schema) is honoured. Point an Ollama client's host at
``http://HOST:PORT`` and name a call site as the model: ``protege/showintent``."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

import protege
from protege.serve.sites import Answer, RequestError
from protege.serve.wire import (
    answer,
    chat_messages,
    optional_str,
    pieces,
    protege_headers,
    protege_info,
    read_json,
    refuse_tools,
    required_model,
)

router = APIRouter()


@router.get("/api/version")
async def version() -> dict:
    return {"version": protege.__version__}


@router.get("/api/tags")
async def tags(request: Request) -> dict:
    return {"models": [
        {"name": n, "model": n, "modified_at": _now(), "size": 0, "digest": "",
         "details": {"format": "gguf", "family": "protege", "parameter_size": "", "quantization_level": ""}}
        for n in request.app.state.sites.model_names()
    ]}


@router.post("/api/chat")
async def chat(request: Request):
    data = await read_json(request)
    model = required_model(data)
    if data.get("messages") in (None, []):  # Ollama's way to load a model (`ollama run` sends it): nothing to answer
        return {"model": model, "created_at": _now(), "message": {"role": "assistant", "content": ""}, "done": True,
                "done_reason": "load"}
    messages = chat_messages(data.get("messages"))
    refuse_tools(data)
    started = time.perf_counter_ns()
    result = await answer(request.app.state.sites, request, model, messages, format_schema(data.get("format")))
    return _reply(data, result, started, lambda text: {"message": {"role": "assistant", "content": text}})


@router.post("/api/generate")
async def generate(request: Request):
    data = await read_json(request)
    model = required_model(data)
    prompt, system = optional_str(data, "prompt"), optional_str(data, "system")
    if data.get("images"):
        raise RequestError("images are not supported")
    if not prompt:  # Ollama's way to load a model: nothing to answer
        return {"model": model, "created_at": _now(), "response": "", "done": True, "done_reason": "load"}
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
    started = time.perf_counter_ns()
    result = await answer(request.app.state.sites, request, model, messages, format_schema(data.get("format")))
    return _reply(data, result, started, lambda text: {"response": text})


def format_schema(value: Any) -> dict | None:
    """The JSON schema Ollama's ``format`` asks for; None for free text."""
    if value in (None, ""):
        return None
    if value == "json":
        return {"type": "object"}
    if isinstance(value, dict):
        return value
    raise RequestError("'format' must be \"json\" or a JSON schema object")


def _reply(data: dict, result: Answer, started: int, body: Any):
    base = {"model": data["model"], "created_at": _now()}
    final = {"done": True, "done_reason": "stop", "total_duration": time.perf_counter_ns() - started,
             "load_duration": 0, "prompt_eval_count": 0, "prompt_eval_duration": 0, "eval_count": 0,
             "eval_duration": 0,
             "protege": protege_info(result)}
    if data.get("stream") is False:
        return JSONResponse({**base, **body(result.content), **final}, headers=protege_headers(result))

    async def lines():
        for piece in pieces(result.content):
            yield json.dumps({**base, **body(piece), "done": False}, ensure_ascii=False) + "\n"
        yield json.dumps({**base, **body(""), **final}, ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson", headers=protege_headers(result))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
