"""Any OpenAI-compatible chat server as teacher: OpenAI, Ollama's /v1, vLLM, llama.cpp's server,
LM Studio. One client (the ``openai`` SDK), wrapped rather than patched.

We ask for structured output where the server honours it, stepping down a ladder when a server
rejects the ``response_format`` we sent: OpenAI's ``json_schema``, then ``json_object`` with the
schema attached (llama-cpp-python's server grammar-constrains with it), then plain text. The step
that worked is remembered for this teacher. Retries with exponential
backoff cover 429, 5xx, timeouts and refused connections; any other error is raised at once with
a message that names the server and the model.
"""

from __future__ import annotations

import os
import random
import time

import openai

from protege.errors import TeacherError
from protege.teachers.base import TeacherReply, TeacherRequest

OLLAMA_URL = "http://127.0.0.1:11434/v1"


class OpenAITeacher:
    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        temperature: float = 0.0,
        structured_output: bool = True,
    ):
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        key = api_key or os.environ.get("PROTEGE_TEACHER_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self.max_retries = max_retries
        self.backoff = backoff
        self.temperature = temperature
        self._formats = list(_FORMATS if structured_output else ("text",))
        # The SDK retries on its own; we keep one retry policy, ours, so errors stay predictable.
        self._client = openai.OpenAI(base_url=self.base_url, api_key=key or "not-needed", timeout=timeout, max_retries=0)

    @classmethod
    def from_spec(cls, spec: str, **options) -> OpenAITeacher:
        """``openai:MODEL``, ``ollama:MODEL`` or ``http(s)://HOST/v1#MODEL``."""
        if spec.startswith("openai:"):
            return cls(spec.removeprefix("openai:"), **options)
        if spec.startswith("ollama:"):
            options.setdefault("base_url", os.environ.get("OLLAMA_BASE_URL", OLLAMA_URL))
            return cls(spec.removeprefix("ollama:"), **options)
        url, sep, model = spec.partition("#")
        if not sep or not model:
            raise ValueError(f"teacher {spec!r}: name the model after '#', e.g. http://127.0.0.1:8080/v1#my-model")
        return cls(model, base_url=url, **options)

    def complete(self, request: TeacherRequest) -> TeacherReply:
        attempt = 0
        while True:
            try:
                return self._once(request)
            except (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as exc:
                attempt += 1
                if attempt > self.max_retries:
                    raise TeacherError(
                        f"teacher {self.model} at {self.base_url} failed after {attempt} attempts: {_describe(exc)}",
                        retryable=True,
                    ) from exc
                time.sleep(self.backoff * 2 ** (attempt - 1) * (1 + random.random() / 4))
            except openai.APIStatusError as exc:
                raise TeacherError(f"teacher {self.model} at {self.base_url}: {_describe(exc)}") from exc

    @property
    def response_format(self) -> str:
        """The structured-output mode this teacher currently uses."""
        return self._formats[0]

    def _once(self, request: TeacherRequest) -> TeacherReply:
        while True:
            kwargs = {"model": self.model, "messages": request.messages, "temperature": self.temperature}
            fmt = _response_format(self._formats[0], request)
            if fmt:
                kwargs["response_format"] = fmt
            try:
                response = self._client.chat.completions.create(**kwargs)
                break
            except openai.APIStatusError as exc:
                rejected = "response_format" in str(exc).lower() or "json_schema" in str(exc).lower()
                if not fmt or not rejected or exc.status_code == 429:
                    raise
                self._formats.pop(0)  # this server does not take that format: step down, remember
        if not response.choices:
            raise TeacherError(f"teacher {self.model} at {self.base_url} returned no choices")
        text = response.choices[0].message.content or ""
        usage = response.usage
        return TeacherReply(
            text=text,
            model=response.model or self.model,
            tokens_in=getattr(usage, "prompt_tokens", None),
            tokens_out=getattr(usage, "completion_tokens", None),
        )


_FORMATS = ("json_schema", "json_object", "text")


def _response_format(mode: str, request: TeacherRequest) -> dict | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": _schema_name(request.site), "schema": request.output_schema}}
    if mode == "json_object":
        return {"type": "json_object", "schema": request.output_schema}
    return None


def _schema_name(site: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in site.split(":")[-1])[:64] or "output"


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out (raise the timeout, or check that the server is up)"
    if isinstance(exc, openai.APIConnectionError):
        return f"cannot connect ({exc.__cause__ or exc}); is the server running?"
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 401:
            return "HTTP 401: set OPENAI_API_KEY (or PROTEGE_TEACHER_API_KEY) or pass api_key="
        return f"HTTP {exc.status_code}: {str(exc.message)[:300]}"
    return str(exc)
