from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from protege.callsite import CallSite
from protege.errors import OutputParseError
from protege.parsing import NoJSONFound, extract_json
from protege.prompts import render_student_prompt


class Level(BaseModel):
    name: str
    difficulty: int = Field(ge=1)


def create_next_level(last_levels: list[Level], difficulty: int) -> Level:
    """Create the next level, a little harder than the last ones."""


SITE = CallSite(create_next_level, teacher=lambda **_: None)


def test_teacher_prompt_has_name_doc_arguments_schema_and_instruction():
    messages = SITE.teacher_messages({"last_levels": [{"name": "a", "difficulty": 1}], "difficulty": 2})
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert user.startswith("Function: create_next_level\n\nCreate the next level, a little harder than the last ones.")
    assert '- last_levels (list[Level]) = [{"name": "a", "difficulty": 1}]' in user
    assert "- difficulty (int) = 2" in user
    assert '"required":["name","difficulty"]' in user
    assert user.endswith("Answer with JSON only.")


def test_student_prompt_is_the_inputs_only():
    inputs = {"last_levels": [], "difficulty": 2, "text": "ação"}
    assert render_student_prompt(inputs) == '{"last_levels":[],"difficulty":2,"text":"ação"}'
    assert SITE.student_prompt(inputs) == render_student_prompt(inputs)


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "x", "difficulty": 2}',
        'Here you go:\n```json\n{"name": "x", "difficulty": 2}\n```\nEnjoy!',
        'The {best} level is {"name": "x", "difficulty": 2} as requested',
        '  \n{"name":"x","difficulty":2}  trailing',
    ],
)
def test_json_is_found_in_fences_and_prose(text):
    assert SITE.parse(text) == Level(name="x", difficulty=2)


def test_non_json_answer_is_a_typed_error_with_the_raw_text():
    with pytest.raises(OutputParseError) as info:
        SITE.parse("I cannot help with that.")
    assert info.value.kind == "invalid_json"
    assert info.value.raw_text == "I cannot help with that."


def test_schema_invalid_answer_names_the_field():
    with pytest.raises(OutputParseError) as info:
        SITE.parse('{"name": "x", "difficulty": 0}')
    assert info.value.kind == "schema_invalid"
    assert info.value.errors[0]["loc"] == ["difficulty"]
    assert "difficulty" in str(info.value)


def test_extract_json_arrays_and_nothing():
    assert extract_json("list: [1, 2, 3]") == [1, 2, 3]
    with pytest.raises(NoJSONFound):
        extract_json("no braces here")
