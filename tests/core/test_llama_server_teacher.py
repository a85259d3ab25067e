"""The OpenAI-compatible teacher against a real llama.cpp server on 127.0.0.1, serving the
bundled SmolLM2 GGUF. The server honours JSON-schema response_format, so even this tiny model
returns JSON that validates."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field
from servers import llama_server as start_llama_server

import protege
from protege.teachers.openai_compat import OpenAITeacher

pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]")


class Mood(BaseModel):
    mood: str = Field(max_length=40)
    intensity: float



@pytest.fixture(scope="module")
def llama_server():
    with start_llama_server() as url:
        yield url


def test_llama_cpp_server_as_teacher(store, llama_server):
    @protege.llm(teacher=OpenAITeacher("smollm2", base_url=llama_server, timeout=60), name="tests:mood")
    def set_mood(message: str) -> Mood:
        """Turn an operator message into a mood name and an intensity between 0 and 1."""

    result = set_mood("make it calm and soft")
    assert isinstance(result, Mood)
    call = store.calls("tests:mood")[0]
    assert call["model"] and call["tokens_in"] > 50 and call["tokens_out"] > 3
    assert store.examples("tests:mood")[0].output == result.model_dump()


def test_spec_string_reaches_the_same_server(store, llama_server):
    @protege.llm(teacher=f"{llama_server}#smollm2", name="tests:mood2")
    def set_mood(message: str) -> Mood:
        """Turn an operator message into a mood."""

    assert isinstance(set_mood("hype"), Mood)
