import asyncio
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import protege
from protege.callsite import CallSite
from protege.errors import CallSiteError

HERE = Path(__file__).parent


class Level(BaseModel):
    name: str
    difficulty: int


def _site(fn, **kw) -> CallSite:
    return CallSite(fn, teacher=lambda **_: None, **kw)


def test_fingerprint_identical_across_processes():
    code = "import sites_for_tests as m; print(m.create_next_level.site.fingerprint, m.describe_room.site.fingerprint)"
    runs = {
        subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert len(runs) == 1
    import sites_for_tests as m

    assert runs.pop().split() == [m.create_next_level.site.fingerprint, m.describe_room.site.fingerprint]


def test_fingerprint_changes_with_each_part_of_the_contract():
    def base(last_levels: list[Level], difficulty: int) -> Level:
        """Create the next level."""

    def other_doc(last_levels: list[Level], difficulty: int) -> Level:
        """Create the next level, harder."""

    def other_input(last_levels: list[Level], difficulty: float) -> Level:
        """Create the next level."""

    def extra_param(last_levels: list[Level], difficulty: int, width: int = 20) -> Level:
        """Create the next level."""

    class Level2(BaseModel):
        name: str
        difficulty: int
        width: int

    def other_output(last_levels: list[Level], difficulty: int) -> Level2:
        """Create the next level."""

    prints = {_site(f).fingerprint for f in (base, other_doc, other_input, extra_param, other_output)}
    assert len(prints) == 5
    assert _site(base).fingerprint == _site(base).fingerprint


def test_prompt_template_version_is_part_of_the_fingerprint(monkeypatch):
    def f(x: int) -> Level:
        """Doc."""

    before = _site(f).fingerprint
    monkeypatch.setattr("protege.callsite.PROMPT_TEMPLATE_VERSION", "999")
    assert _site(f).fingerprint != before


@pytest.mark.parametrize("ret", [None, "missing", typing.Callable[[int], int]])
def test_unusable_return_types_are_rejected_at_decoration(ret):
    if ret == "missing":
        def f(x: int):
            """Doc."""
    else:
        def f(x: int) -> ret:  # type: ignore[valid-type]
            """Doc."""
    with pytest.raises(CallSiteError, match="return type|BaseModel"):
        protege.llm(teacher=lambda **_: {})(f)


def test_star_args_are_rejected():
    def f(*items: int) -> Level:
        """Doc."""

    with pytest.raises(CallSiteError, match="name each argument"):
        _site(f)


def test_identity_and_schemas():
    import sites_for_tests as m

    site = m.describe_room.site
    assert site.name == "sites_for_tests:describe_room"
    assert set(site.input_schema["properties"]) == {"room", "tags", "weights"}
    assert site.output_schema["required"] == ["name", "difficulty"] and "title" not in site.output_schema


def test_inputs_of_many_kinds_are_serialised(home):
    import sites_for_tests as m

    out = m.describe_room(m.Room(width=7, color=m.Color.blue), ["a", "b"], {"x": 0.5})
    assert out == m.Level(name="blue-2", difficulty=7)
    _, inputs = m.describe_room.site.bind((m.Room(width=7, color=m.Color.blue), ["a"], {"x": 1.0}), {})
    assert inputs == {"room": {"width": 7, "color": "blue"}, "tags": ["a"], "weights": {"x": 1.0}}


def test_async_call_site_with_async_teacher(home):
    async def teacher(difficulty: int) -> dict:
        await asyncio.sleep(0)
        return {"name": "async", "difficulty": difficulty}

    @protege.llm(teacher=teacher)
    async def make(difficulty: int) -> Level:
        """Make a level."""

    assert asyncio.run(make(3)) == Level(name="async", difficulty=3)
    assert asyncio.run(make(difficulty=4)).difficulty == 4


def test_union_return_type_is_accepted():
    from typing import Annotated, Literal, Union

    from pydantic import Field

    class A(BaseModel):
        type: Literal["a"]
        x: int

    class B(BaseModel):
        type: Literal["b"]
        y: str

    def f(text: str) -> Annotated[Union[A, B], Field(discriminator="type")]:
        """Doc."""

    site = _site(f)
    assert site.parse('{"type": "b", "y": "hi"}') == B(type="b", y="hi")


def test_student_inputs_show_the_student_only_the_named_paths():
    def scene(message: str, state: dict, locale: str) -> Level:
        """Turn the message into a level."""

    full, viewed = _site(scene), _site(scene, student_inputs=["message", "state.pending", "state.absent", "locale"])
    inputs = {"message": "mais premium", "state": {"now": "21:00", "pending": ["apr-1"]}, "locale": "pt-BR"}
    assert viewed.student_prompt(inputs) == '{"message":"mais premium","state":{"pending":["apr-1"]},"locale":"pt-BR"}'
    assert full.student_prompt(inputs).startswith('{"message":"mais premium","state":{"now":"21:00"')
    assert viewed.fingerprint == full.fingerprint  # the data contract did not change
    assert viewed.teacher_messages(inputs) == full.teacher_messages(inputs)  # the teacher sees everything
    with pytest.raises(CallSiteError, match=r"student_inputs name \['mood'\]"):
        _site(scene, student_inputs=["message", "mood.level"])


def test_a_version_records_the_student_view_it_was_trained_on():
    def scene(message: str, state: dict) -> Level:
        """Turn the message into a level."""

    viewed = _site(scene, student_inputs=["message"])
    assert viewed.student_view_changed({"student_inputs": ["message"]}) is None
    assert viewed.student_view_changed({}) is None  # trained before views existed: nothing recorded
    assert "trained on student_inputs=all" in viewed.student_view_changed({"student_inputs": None})
    assert "the site now shows all" in _site(scene).student_view_changed({"student_inputs": ["message"]})


def _glossed(shown: dict) -> dict:
    return {"state": {"pending": [f"{p} (open)" for p in shown["state"]["pending"]]}, "hint": "be brief"}


def test_student_hints_replace_or_join_what_the_student_sees():
    def scene(message: str, state: dict) -> Level:
        """Turn the message into a level."""

    plain = _site(scene, student_inputs=["message", "state.pending"])
    hinted = _site(scene, student_inputs=["message", "state.pending"], student_hints=_glossed)
    inputs = {"message": "mais premium", "state": {"now": "21:00", "pending": ["apr-1"]}}
    # a replaced field keeps its place, a new one comes last; the teacher and the contract are untouched
    assert hinted.student_prompt(inputs) == '{"message":"mais premium","state":{"pending":["apr-1 (open)"]},"hint":"be brief"}'
    assert hinted.fingerprint == plain.fingerprint
    assert hinted.teacher_messages(inputs) == plain.teacher_messages(inputs)
    assert inputs["state"]["pending"] == ["apr-1"]  # the call's own inputs are not changed
    name = hinted.hints_name
    assert name is not None and name.endswith(":_glossed") and plain.hints_name is None
    trained_hinted = {"student_inputs": ["message", "state.pending"], "student_hints": name}
    assert hinted.student_view_changed(trained_hinted) is None
    assert plain.student_view_changed({"student_inputs": ["message", "state.pending"]}) is None
    assert "trained with student_hints=none" in hinted.student_view_changed({"student_inputs": ["message", "state.pending"]})
    assert "the site now adds none" in plain.student_view_changed(trained_hinted)


def test_a_decode_schema_narrows_decoding_only():
    """decode_schema changes what the student decodes under, not the contract or validation."""

    class Color(BaseModel):
        name: str

    def pick(text: str) -> Color:
        """Pick a color."""

    def no_digits(schema: dict) -> dict:
        narrowed = {**schema, "properties": {**schema["properties"]}}
        narrowed["properties"]["name"] = {**schema["properties"]["name"], "pattern": "^[a-z]+$"}
        return narrowed

    plain, narrow = CallSite(pick), CallSite(pick, decode_schema=no_digits)
    assert plain.decode_schema == plain.output_schema
    assert narrow.decode_schema["properties"]["name"]["pattern"] == "^[a-z]+$"
    assert narrow.output_schema == plain.output_schema and narrow.fingerprint == plain.fingerprint
    assert narrow.parse('{"name": "red5"}').name == "red5"  # validation: the output schema


def test_the_base_of_a_site_setting_then_site_then_bundled(home, monkeypatch):
    pytest.importorskip("torch")
    from protege.train.pipeline import base_for

    def pick(text: str) -> str:
        """Pick."""

    mine = CallSite(pick, graduation=protege.Graduation(base="smollm2-135m"))
    assert base_for(mine).id == "smollm2-135m"
    assert base_for(CallSite(pick)).id == "smollm2-135m"
    elsewhere = CallSite(pick, graduation=protege.Graduation(base="/nowhere/model.gguf"))
    with pytest.raises(Exception, match="nowhere"):
        base_for(elsewhere)
    protege.configure(base_model="smollm2-135m")
    try:
        assert base_for(elsewhere).id == "smollm2-135m"  # the setting wins over the site's own
    finally:
        protege.configure(base_model=None)
