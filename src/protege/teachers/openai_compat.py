"""Any OpenAI-compatible chat server as teacher: OpenAI, Ollama's /v1, vLLM, llama.cpp's server,
LM Studio. One client (the ``openai`` SDK), wrapped rather than patched.

We ask for JSON-schema structured output where the server honours it; a server that rejects the
``response_format`` parameter is asked again without it, and remembered. Retries with exponential
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
        self.structured_output = structured_output
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

    def _once(self, request: TeacherRequest) -> TeacherReply:
        kwargs = {"model": self.model, "messages": request.messages, "temperature": self.temperature}
        if self.structured_output:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(request.site), "schema": request.output_schema},
            }
        try:
            response = self._client.chat.completions.create(**kwargs)
        except openai.BadRequestError as exc:
            if not self.structured_output or "response_format" not in str(exc).lower() and "json_schema" not in str(exc).lower():
                raise
            self.structured_output = False  # this server does not honour it: stop asking
            kwargs.pop("response_format")
            response = self._client.chat.completions.create(**kwargs)
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
