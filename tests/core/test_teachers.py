"""Each teacher backend, against real things: a real HTTP server on 127.0.0.1, real callables,
and answers replayed from a real SQLite store."""

from __future__ import annotations

import importlib.util

import pytest
from openai_server import ScriptedServer
from pydantic import BaseModel

import protege
from protege.errors import OutputParseError, TeacherError
from protege.teachers import resolve_teacher
from protege.teachers.openai_compat import OpenAITeacher
from protege.teachers.replay import ReplayTeacher


class Mood(BaseModel):
    mood: str
    intensity: float


def _site(teacher):
    @protege.llm(teacher=teacher, name="tests:set_mood")
    def set_mood(message: str) -> Mood:
        """Turn an operator message into a mood."""

    return set_mood


def test_openai_teacher_answers_and_records_usage(store):
    with ScriptedServer([{"text": '{"mood": "premium", "intensity": 0.5}'}]) as server:
        set_mood = _site(OpenAITeacher("tiny", base_url=server.base_url))
        assert set_mood("deixa mais premium") == Mood(mood="premium", intensity=0.5)
        sent = server.requests[0]
    assert sent["model"] == "tiny"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["mood", "intensity"]
    call = store.calls("tests:set_mood")[0]
    assert (call["tokens_in"], call["tokens_out"], call["error"]) == (11, 7, None)
    assert len(store.examples("tests:set_mood")) == 1


def test_openai_teacher_retries_429_and_5xx_then_succeeds(store):
    script = [{"status": 429}, {"status": 503}, {"text": '{"mood": "calm", "intensity": 0.2}'}]
    with ScriptedServer(script) as server:
        set_mood = _site(OpenAITeacher("tiny", base_url=server.base_url, backoff=0.01))
        assert set_mood("calma").mood == "calm"
        assert len(server.requests) == 3


def test_openai_teacher_timeout_is_a_clear_error_and_is_recorded(store):
    script = [{"delay": 1.0, "text": "{}"}] * 2
    with ScriptedServer(script) as server:
        set_mood = _site(OpenAITeacher("tiny", base_url=server.base_url, timeout=0.2, max_retries=1, backoff=0.01))
        with pytest.raises(TeacherError, match="timed out"):
            set_mood("fog agora")
    call = store.calls("tests:set_mood")[0]
    assert "timed out" in call["error"] and call["inputs"] == {"message": "fog agora"}
    assert store.examples("tests:set_mood") == []


def test_server_without_structured_output_is_asked_again_plainly(store):
    script = [
        {"reject_response_format": True},
        {"reject_response_format": True},
        {"text": '```json\n{"mood": "hype", "intensity": 0.7}\n```'},
        {"text": '{"mood": "calm", "intensity": 0.1}'},
    ]
    with ScriptedServer(script) as server:
        teacher = OpenAITeacher("tiny", base_url=server.base_url)
        assert _site(teacher)("hype!").mood == "hype"
        assert [r.get("response_format", {}).get("type") for r in server.requests] == ["json_schema", "json_object", None]
        assert _site(teacher)("calm").mood == "calm"  # remembered: asked plainly at once
        assert "response_format" not in server.requests[3]
    assert teacher.response_format == "text"


def test_unauthorised_is_not_retried(store):
    with ScriptedServer([{"status": 401}]) as server:
        with pytest.raises(TeacherError, match="OPENAI_API_KEY"):
            _site(OpenAITeacher("tiny", base_url=server.base_url))("x")
        assert len(server.requests) == 1


def test_repair_reask_carries_the_validation_error(store):
    script = [{"text": '{"mood": "premium"}'}, {"text": '{"mood": "premium", "intensity": 0.4}'}]
    with ScriptedServer(script) as server:
        assert _site(OpenAITeacher("tiny", base_url=server.base_url))("premium").intensity == 0.4
        repair = server.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"mood": "premium"}'}
    assert "intensity" in repair[-1]["content"] and "Field required" in repair[-1]["content"]
    calls = store.calls("tests:set_mood")
    assert [c["meta"]["attempt"] for c in calls] == [2, 1]
    assert calls[1]["error"].startswith("schema_invalid")


def test_two_bad_answers_raise_and_both_are_recorded(store):
    script = [{"text": "not json at all"}, {"text": "still not json"}]
    with ScriptedServer(script) as server:
        with pytest.raises(OutputParseError) as info:
            _site(OpenAITeacher("tiny", base_url=server.base_url))("x")
    assert info.value.kind == "invalid_json" and info.value.raw_text == "still not json"
    calls = store.calls("tests:set_mood")
    assert [c["raw_output"] for c in calls] == ["still not json", "not json at all"]
    assert store.examples("tests:set_mood") == []


def test_callable_teacher_errors_are_teacher_errors(store):
    def broken(message):
        raise RuntimeError("labeller down")

    with pytest.raises(TeacherError, match="labeller down"):
        _site(broken)("x")
    assert store.calls("tests:set_mood")[0]["error"].endswith("labeller down")


def test_replay_answers_recorded_inputs_and_refuses_new_ones(store):
    live = _site(lambda message: Mood(mood=message, intensity=0.3))
    live("calm")
    replayed = _site(ReplayTeacher())
    assert replayed("calm") == Mood(mood="calm", intensity=0.3)
    with pytest.raises(TeacherError, match="no recorded teacher answer"):
        replayed("never seen")


def test_resolve_teacher_specs():
    assert resolve_teacher("ollama:qwen2.5:3b").base_url.endswith(":11434/v1")
    assert resolve_teacher("ollama:qwen2.5:3b").model == "qwen2.5:3b"
    http = resolve_teacher("http://127.0.0.1:8080/v1#smol")
    assert (http.base_url, http.model) == ("http://127.0.0.1:8080/v1", "smol")
    assert resolve_teacher("openai:gpt-4o-mini").model == "gpt-4o-mini"
    assert resolve_teacher("replay").model == "replay"
    with pytest.raises(ValueError, match="unknown teacher"):
        resolve_teacher("bogus")
    with pytest.raises(ValueError, match="name the model"):
        resolve_teacher("http://127.0.0.1:8080/v1")


def test_litellm_teacher_without_the_extra_says_how_to_install():
    if importlib.util.find_spec("litellm") is not None:
        pytest.skip("litellm is installed here")
    with pytest.raises(TeacherError, match="litellm extra"):
        resolve_teacher("litellm:anthropic/claude-3-5-haiku")
