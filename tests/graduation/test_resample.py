"""Resampling: a student answer a validator refuses is sampled again (seeded) before the teacher
answers; each try is recorded, and the gate's eval scores answers the same way. Per-call decode
schemas (``decode_for``) reach the student. The bundled base model stands in for a trained
student (registering needs no training); its answers are real llama.cpp decodes."""

from __future__ import annotations

import shutil

from pydantic import BaseModel, Field

import protege
from protege import router
from protege.answering import resampled
from protege.registry import Registry
from protege.students.base import resolve_base_model

GREEDY: dict[str, str] = {}
"""The greedy answer of the stand-in student per text, filled by the first test that asks."""


class Word(BaseModel):
    word: str = Field(max_length=24)


def _not_greedy(answer: Word, inputs: dict) -> protege.Verdict:
    """Refuses exactly the greedy answer, so only a sampled answer can pass."""
    return protege.Verdict(answer.word != GREEDY.get(inputs["text"]), "the greedy answer")


def _never(answer: Word, inputs: dict) -> protege.Verdict:
    return protege.Verdict(False, "refuses everything")


def _site(name: str, validator, resample: int):
    grad = protege.Graduation(resample=resample, resample_temperature=1.5, min_logprob=-1e9, spot_check_fraction=0.01)

    @protege.llm(teacher=lambda text: Word(word="teacher"), name=name, graduation=grad,
                 validators=[protege.validator(name=validator.__name__)(validator)],
                 decode_for=lambda schema, inputs: {**schema, "properties": {"word": {
                     "type": "string", "maxLength": 24, "pattern": "^[a-z]{2,12}$"}}})
    def pick_word(text: str) -> Word:
        """One word that fits the text."""

    return pick_word


def _serve_base(store, fn) -> protege.ModelVersion:
    registry = Registry(store)
    staging = registry.staging_dir(fn.site.name)
    shutil.copyfile(resolve_base_model().gguf_path, staging / "student.gguf")
    version = registry.register(fn.site.name, fn.site.fingerprint, staging, base_model="smollm2-135m",
                                base_sha256=None, gguf_file="student.gguf", dataset_hash="d", n_train=3,
                                train_config={"max_steps": 1})
    registry.promote(fn.site.name, version.version, reason="test", route="student")
    router.forget_state()
    return version


def _greedy(fn, version, text: str) -> str:
    first = resampled(fn.site, {"text": text}, version)[0]
    assert first.attempt == 1 and first.answer is not None
    return first.answer.parsed_json["word"]


def test_a_refused_answer_is_resampled_and_a_sampled_one_served(store):
    pick = _site("tests:resample_served", _not_greedy, resample=4)
    version = _serve_base(store, pick)
    text = "the lights go down and the crowd cheers"
    GREEDY[text] = _greedy(pick, version, text)
    assert GREEDY[text].isalpha() and GREEDY[text].islower()  # decode_for reached the student

    before = len(store.calls(pick.site.name, role="student"))
    served = pick(text)
    router.drain()
    info = protege.last_call()
    assert info["answered_by"] == "student" and info["attempts"] >= 2
    assert served.word != GREEDY[text]
    calls = store.calls(pick.site.name, role="student")
    tries = calls[: len(calls) - before]  # newest first
    assert sorted(t["meta"]["attempt"] for t in tries) == list(range(1, info["attempts"] + 1))
    refused = [t for t in tries if t["meta"]["fallback_kind"] == "validator_failed"]
    assert len(refused) == info["attempts"] - 1 and all(t["parsed_output"]["word"] == GREEDY[text] for t in refused)
    assert not store.calls(pick.site.name, role="teacher")

    again = resampled(pick.site, {"text": text}, version)  # seeded: the same tries again
    assert [t.answer.text for t in again][1:] == [t["raw_output"] for t in sorted(tries, key=lambda t: t["meta"]["attempt"])][1:]


def test_after_every_resample_fails_the_teacher_answers_with_the_reason(store):
    pick = _site("tests:resample_exhausted", _never, resample=2)
    _serve_base(store, pick)
    assert pick("a quiet night") == Word(word="teacher")
    router.drain()
    students = store.calls(pick.site.name, role="student")
    assert sorted(c["meta"]["attempt"] for c in students) == [1, 2, 3]
    teacher = store.calls(pick.site.name, role="teacher")[0]
    assert teacher["meta"]["fallback_kind"] == "validator_failed"
    assert teacher["meta"]["fallback"] == "validator: _never (after 3 samples)"
    assert protege.last_call()["fallback"].endswith("(after 3 samples)")


def test_the_gate_eval_scores_answers_as_served(store):
    from protege.evaluate.runner import evaluate_version
    from protege.store import ExampleIn

    pick = _site("tests:resample_eval", _not_greedy, resample=4)
    version = _serve_base(store, pick)
    texts = ["rain on the stage", "the drummer is late"]
    for text in texts:
        GREEDY[text] = _greedy(pick, version, text)
    store.add_examples(pick.site.name, pick.site.fingerprint,
                       [ExampleIn(inputs={"text": t}, output={"word": "x"}, source="teacher") for t in texts])
    rows = store.examples(pick.site.name, pick.site.fingerprint)
    report, results = evaluate_version(pick.site, version, rows, criterion="validators")
    attempts = [r.row.slices["attempts"] for r in results]
    assert all(int(a) >= 2 for a in attempts)
    assert report.slices["attempts"] and sum(s.n for s in report.slices["attempts"].values()) == len(texts)
    assert all(r.row.verdicts["_not_greedy"].ok for r in results)
