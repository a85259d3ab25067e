"""Proxy sites: call sites with no Python behind them.

A program in any language sends chat messages to ``protege serve``; a proxy site forwards them,
unchanged, to its upstream teacher (any OpenAI-compatible URL or Ollama) and captures the request
and the answer through the router like any other call. Its inputs are the messages, so its
student sees exactly what the upstream model saw, and the site is trained, gated and routed by
the usual commands under its name ``protege.serve.proxy:NAME``.

The output contract comes from the request: free text, a JSON object (``json_object``), or a JSON
schema (``json_schema`` / Ollama's ``format``). The schema is part of the fingerprint, so a client
that changes its schema starts a new dataset generation, as a changed Python signature does.
Answers are checked against the schema with ``jsonschema``; a teacher answer that fails gets the
router's one repair re-ask.

``protege train protege.serve.proxy:NAME`` finds the site through this module's ``__getattr__``:
it rebuilds the site from the newest output schema the store recorded for it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import jsonschema
from pydantic import BaseModel, ConfigDict

from protege.callsite import CallSite, compact_schema
from protege.errors import OutputParseError
from protege.store import Store

MODULE = "protege.serve.proxy"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
FREE_TEXT_SCHEMA = {"type": "string"}


class ChatMessage(BaseModel):
    """One chat message as the upstream model receives it."""

    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str


def answer_chat(messages: list[ChatMessage]) -> str:
    """Answer the conversation as the upstream model would."""


def answer_chat_json(messages: list[ChatMessage]) -> Any:
    """Answer the conversation with one JSON value that matches the output schema."""


class ProxyCallSite(CallSite):
    """A call site whose inputs are chat messages and whose teacher sees them verbatim."""

    def __init__(self, short_name: str, *, output_schema: dict | None, teacher: Any = None):
        if not NAME_PATTERN.match(short_name):
            raise ValueError(f"proxy site name {short_name!r}: use letters, digits, '_' and '-' (at most 64)")
        free_text = output_schema is None or output_schema == FREE_TEXT_SCHEMA
        super().__init__(answer_chat if free_text else answer_chat_json, teacher=teacher, name=site_name(short_name))
        self.short_name = short_name
        self.free_text = free_text
        if not free_text:
            schema = compact_schema(output_schema)
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"the output JSON schema is not valid: {exc.message}") from exc
            self.output_schema = schema
            self._scalar_output = schema.get("type") not in ("object", "array", None)
            self._schema_validator = jsonschema.Draft202012Validator(schema)
            self.fingerprint = self._compute_fingerprint()

    def teacher_messages(self, inputs: dict) -> list[dict]:
        # The upstream gets the client's own conversation, not a rendered function prompt.
        return [{"role": m["role"], "content": m["content"]} for m in inputs["messages"]]

    def parse(self, text: str) -> Any:
        if self.free_text:
            return text
        return super().parse(text)

    def validate(self, value: Any, *, raw_text: str | None = None) -> Any:
        value = super().validate(value, raw_text=raw_text)
        if self.free_text:
            return value
        errors = sorted(self._schema_validator.iter_errors(value), key=lambda e: list(e.path))
        if errors:
            shown = "; ".join(f"{'.'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:5])
            raise OutputParseError(
                f"{self.name}: answer does not match the output schema: {shown}", kind="schema_invalid",
                raw_text=raw_text if raw_text is not None else str(value),
                errors=[{"loc": list(e.path), "msg": e.message} for e in errors[:20]],
            )
        return value


def site_name(short_name: str) -> str:
    return f"{MODULE}:{short_name}"


def __getattr__(name: str) -> ProxyCallSite:
    """The proxy site ``name`` as the store last saw it (for ``protege train|gate|eval``)."""
    if name.startswith("__") or not NAME_PATTERN.match(name):
        raise AttributeError(name)
    known = Store.default().site_fingerprints(site_name(name))
    if not known:
        raise AttributeError(f"no proxy site {name!r} has been called yet")
    return ProxyCallSite(name, output_schema=known[0]["output_schema"])
