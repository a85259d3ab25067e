"""The OpenAI-compatible teacher against a real llama.cpp server on 127.0.0.1, serving the
bundled SmolLM2 GGUF. The server honours JSON-schema response_format, so even this tiny model
returns JSON that validates."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from pydantic import BaseModel, Field

import protege
from protege.teachers.openai_compat import OpenAITeacher

pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]")


class Mood(BaseModel):
    mood: str = Field(max_length=40)
    intensity: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    from protege.students.base import resolve_base_model

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(resolve_base_model().gguf_path),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/models", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("llama.cpp server exited at start")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("llama.cpp server did not start in 60 s")
    yield url
    proc.terminate()
    proc.wait(10)


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
