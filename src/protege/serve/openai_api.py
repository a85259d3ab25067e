"""The OpenAI-compatible API: ``POST /v1/chat/completions`` (with ``response_format`` and
``stream``) and ``GET /v1/models``. Point any OpenAI client's base URL at ``http://HOST:PORT/v1``
and name a call site as the model: ``protege/showintent``."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from protege.serve.sites import RequestError
from protege.serve.wire import (
    answer,
    chat_messages,
    pieces,
    protege_headers,
    protege_info,
    read_json,
    refuse_tools,
    required_model,
)

router = APIRouter()


@router.get("/v1/models")
async def models(request: Request) -> dict:
    names = request.app.state.sites.model_names()
    return {"object": "list", "data": [{"id": n, "object": "model", "created": 0, "owned_by": "protege"} for n in names]}


@router.post("/v1/chat/completions")
async def chat_completions(request: Request):
    data = await read_json(request)
    model = required_model(data)
    messages = chat_messages(data.get("messages"))
    schema = output_schema(data.get("response_format"))
    if data.get("n") not in (None, 1):
        raise RequestError("only n=1 is supported")
    refuse_tools(data)
    result = await answer(request.app.state.sites, request, model, messages, schema)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    extra = {"protege": protege_info(result)}
    if not data.get("stream"):
        body = {
            "id": completion_id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.content}, "finish_reason": "stop"}],
            **extra,
        }
        return JSONResponse(body, headers=protege_headers(result))

    def chunk(delta: dict, finish: str | None) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    async def events():
        yield chunk({"role": "assistant", "content": ""}, None)
        for piece in pieces(result.content):
            yield chunk({"content": piece}, None)
        yield chunk({}, "stop")
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=protege_headers(result))


def output_schema(response_format: Any) -> dict | None:
    """The JSON schema a ``response_format`` asks for; None for free text."""
    if response_format is None:
        return None
    if not isinstance(response_format, dict):
        raise RequestError("'response_format' must be an object")
    kind = response_format.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        schema = response_format.get("schema")  # llama.cpp's server takes a schema here too
        return schema if isinstance(schema, dict) else {"type": "object"}
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
            raise RequestError("response_format json_schema needs {'json_schema': {'name': ..., 'schema': {...}}}")
        return spec["schema"]
    raise RequestError(f"response_format type {kind!r} is not supported: use text, json_object or json_schema")
