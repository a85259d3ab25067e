"""LiteLLM as teacher, for providers with their own APIs (Anthropic, Gemini...). Optional extra."""

from __future__ import annotations

from protege.errors import TeacherError
from protege.teachers.base import TeacherReply, TeacherRequest


class LiteLLMTeacher:
    def __init__(self, model: str, *, timeout: float = 60.0, max_retries: int = 3, **options):
        try:
            import litellm  # noqa: F401
        except ImportError as exc:
            raise TeacherError("the litellm teacher needs the litellm extra: pip install 'protege[litellm]'") from exc
        self.model = model
        self.timeout = timeout
        self.max_retries = max_retries
        self.options = options

    def complete(self, request: TeacherRequest) -> TeacherReply:
        import litellm

        try:
            response = litellm.completion(
                model=self.model,
                messages=request.messages,
                timeout=self.timeout,
                num_retries=self.max_retries,
                temperature=0,
                **self.options,
            )
        except Exception as exc:
            raise TeacherError(f"teacher {self.model} (litellm) failed: {type(exc).__name__}: {exc}") from exc
        usage = getattr(response, "usage", None)
        return TeacherReply(
            text=response.choices[0].message.content or "",
            model=self.model,
            tokens_in=getattr(usage, "prompt_tokens", None),
            tokens_out=getattr(usage, "completion_tokens", None),
        )
