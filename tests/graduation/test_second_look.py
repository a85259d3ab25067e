"""A call site's second look (``second_look``): before a student answer is judged, the site may
ask the student again on other inputs and keep the answer, give another, or none (the teacher
answers). Serving, the gate's eval and the evals' answerer all take it. The bundled base model
stands in for a trained student; its answers are real llama.cpp decodes."""

from __future__ import annotations

import json

from test_resample import Word, _serve_base

import protege
from protege import router
from protege.answering import looked_again, resampled
from protege.evaluate.runner import student_answerer
from protege.students.runtime import StudentRuntime

ASKED: list[dict] = []


def _site(name: str, look):
    @protege.llm(teacher=lambda text: Word(word="teacher"), name=name, second_look=look,
                 graduation=protege.Graduation(min_logprob=-1e9, spot_check_fraction=0.01),
                 decode_for=lambda schema, inputs: {**schema, "properties": {"word": {
                     "type": "string", "maxLength": 24, "pattern": "^[a-z]{2,12}$"}}})
    def pick_word(text: str) -> Word:
        """One word that fits the text."""

    return pick_word


def _keep_if_the_same_in_capitals(inputs: dict, answer: dict, ask) -> dict:
    """Keeps the answer when the student gives it again for the text in capitals, else answers "unsure"."""
    again = ask({"text": inputs["text"].upper()})
    ASKED.append({"inputs": inputs, "answer": answer, "again": again})
    return answer if again == answer else {"word": "unsure"}


def _always_replaced(inputs: dict, answer: dict, ask) -> dict:
    ask({"text": inputs["text"] + "!"})
    return {"word": "replaced"}


def _none_served(inputs: dict, answer: dict, ask) -> None:
    return None


def test_the_second_look_asks_the_student_again_and_its_verdict_is_served(store):
    pick = _site("tests:second_look_asks", _keep_if_the_same_in_capitals)
    _serve_base(store, pick)
    text = "fireworks over the stage"
    ASKED.clear()
    served = pick(text)
    router.drain()
    assert protege.last_call()["answered_by"] == "student"
    [look] = ASKED
    assert look["inputs"] == {"text": text} and look["again"]["word"].isalpha()  # a real answer, decoded
    assert served.model_dump() == (look["answer"] if look["again"] == look["answer"] else {"word": "unsure"})
    [call] = store.calls(pick.site.name, role="student")
    assert call["parsed_output"] == served.model_dump()


def test_a_replacement_is_what_the_gate_and_the_evals_score_with_every_ask_timed(store):
    pick = _site("tests:second_look_replaced", _always_replaced)
    version = _serve_base(store, pick)
    inputs = {"text": "a slow song for the couples"}
    tried = resampled(pick.site, inputs, version)[-1]
    assert tried.reason is None and tried.output == Word(word="replaced")
    assert json.loads(tried.answer.text) == {"word": "replaced"}
    runtime, spent = StudentRuntime.load(version.gguf_path), []

    def ask(shown: dict):
        spent.append(runtime.answer(pick.site.student_prompt(shown), pick.site.decode_schema_for(shown)))
        return spent[-1]

    first = ask(inputs)
    looked, served = looked_again(pick.site, inputs, first, ask)
    assert served and looked.min_logprob == first.min_logprob and len(spent) == 2
    assert looked.latency_ms == first.latency_ms + spent[1].latency_ms  # every ask is timed
    text, _ = student_answerer(pick.site, version)(inputs)
    assert json.loads(text) == {"word": "replaced"}


def test_no_answer_to_serve_sends_the_call_to_the_teacher_and_scores_as_none(store):
    pick = _site("tests:second_look_none", _none_served)
    version = _serve_base(store, pick)
    assert pick("the band is late") == Word(word="teacher")
    router.drain()
    teacher = store.calls(pick.site.name, role="teacher")[0]
    assert teacher["meta"]["fallback_kind"] == "second_look"
    text, _ = student_answerer(pick.site, version)({"text": "the band is late"})
    assert text.startswith("(no answer") and "second look" in text


def test_a_site_defined_outside_python_takes_its_second_look_from_the_site_options(tmp_path, monkeypatch):
    """A Jac site's options file may name a second look; the recorded site (training, gating) carries it."""
    from protege.callsite import CallSite
    from protege.site_options import ENV, site_options

    options = tmp_path / "options.py"
    options.write_text("def look(inputs, answer, ask):\n    return answer\n\nSITES = {'game:pick': {'second_look': look}}\n")
    monkeypatch.setenv(ENV, str(options))
    found = site_options("game:pick")
    schema = {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}
    site = CallSite.recorded("game:pick", "f" * 16, {"type": "object", "properties": {"text": {"type": "string"}}},
                             schema, **found)
    assert site.second_look is found["second_look"] and site.second_look({}, {"word": "x"}, None) == {"word": "x"}
    assert CallSite.recorded("game:other", "f" * 16, {"type": "object", "properties": {}}, schema).second_look is None
