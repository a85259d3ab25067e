"""Resampling: a student answer a validator refuses is sampled again (seeded) before the teacher
answers; each try is recorded, and the gate's eval scores answers the same way. Per-call decode
schemas (``decode_for``) reach the student. The bundled base model stands in for a trained
student (registering needs no training); its answers are real llama.cpp decodes."""

from __future__ import annotations

import shutil

from pydantic import BaseModel, Field

import protege
from protege import router
from protege.answering import confidence_floor, resampled
from protege.registry import Registry
from protege.students.base import resolve_base_model

JUDGED: dict[str, int] = {}
"""How many answers ``_first_refused`` has judged per text."""


class Word(BaseModel):
    word: str = Field(max_length=24)


def _first_refused(answer: Word, inputs: dict) -> protege.Verdict:
    """Refuses the first answer it judges for each text, so a resample must be served. (Refusing
    "the greedy answer" would depend on greedy decodes matching to the last bit, and llama.cpp's
    logits move slightly with how the prompt cache splits the batch.)"""
    JUDGED[inputs["text"]] = JUDGED.get(inputs["text"], 0) + 1
    return protege.Verdict(JUDGED[inputs["text"]] > 1, "the first answer")


def _never(answer: Word, inputs: dict) -> protege.Verdict:
    return protege.Verdict(False, "refuses everything")


def _site(name: str, validator, resample: int, temperature: float = 0.0, min_logprob: float = -1e9):
    grad = protege.Graduation(resample=resample, resample_temperature=1.5, temperature=temperature,
                              min_logprob=min_logprob, spot_check_fraction=0.01)

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


def test_a_refused_answer_is_resampled_and_a_sampled_one_served(store):
    pick = _site("tests:resample_served", _first_refused, resample=4)
    version = _serve_base(store, pick)
    text = "the lights go down and the crowd cheers"

    served = pick(text)
    router.drain()
    info = protege.last_call()
    assert info["answered_by"] == "student" and info["attempts"] == 2
    assert served.word.isalpha() and served.word.islower()  # decode_for reached the student
    tries = sorted(store.calls(pick.site.name, role="student"), key=lambda t: t["meta"]["attempt"])
    assert [t["meta"]["attempt"] for t in tries] == [1, 2]
    assert tries[0]["meta"]["fallback_kind"] == "validator_failed" and tries[1]["parsed_output"] == served.model_dump()
    assert not store.calls(pick.site.name, role="teacher")

    JUDGED[text] = 0  # seeded: the same tries again
    again = resampled(pick.site, {"text": text}, version)
    assert [t.answer.text for t in again][1:] == [t["raw_output"] for t in tries][1:]


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

    pick = _site("tests:resample_eval", _first_refused, resample=4)
    version = _serve_base(store, pick)
    texts = ["rain on the stage", "the drummer is late"]
    store.add_examples(pick.site.name, pick.site.fingerprint,
                       [ExampleIn(inputs={"text": t}, output={"word": "x"}, source="teacher") for t in texts])
    rows = store.examples(pick.site.name, pick.site.fingerprint)
    report, results = evaluate_version(pick.site, version, rows, criterion="validators")
    attempts = [r.row.slices["attempts"] for r in results]
    assert attempts == ["2", "2"]
    assert report.slices["attempts"] and sum(s.n for s in report.slices["attempts"].values()) == len(texts)
    assert all(r.row.verdicts["_first_refused"].ok for r in results)


def test_a_site_with_a_temperature_samples_its_first_answer_with_seed_0(store):
    from protege.students.runtime import StudentRuntime

    pick = _site("tests:sampled_first", _never, resample=0, temperature=1.5)
    version = _serve_base(store, pick)
    inputs = {"text": "confetti falls on the dance floor"}
    tries = resampled(pick.site, inputs, version)
    assert len(tries) == 1 and tries[0].attempt == 1  # no resamples asked: one try
    runtime = StudentRuntime.load(version.gguf_path)
    prompt, schema = pick.site.student_prompt(inputs), pick.site.decode_schema_for(inputs)
    assert tries[0].answer.text == runtime.answer(prompt, schema, temperature=1.5, seed=0).text
    by_seed = {runtime.answer(prompt, schema, temperature=1.5, seed=s).text for s in range(4)}
    assert len(by_seed) > 1  # the seed matters, so the equality above is not greedy's


def _always(answer: Word, inputs: dict) -> protege.Verdict:
    return protege.Verdict(True, "")


def test_the_confidence_floor_judges_greedy_answers_only(store):
    """A floor no answer can reach (log-probabilities are below 0) refuses a greedy first answer
    and lets a sampled one through: a sampled token's log-probability says nothing of confidence."""
    inputs = {"text": "the bass drops"}
    greedy = _site("tests:floor_greedy", _always, resample=2, min_logprob=0.0)
    tries = resampled(greedy.site, inputs, _serve_base(store, greedy))
    assert len(tries) == 1 and tries[0].reason.kind == "low_confidence"  # not resampled either
    sampled = _site("tests:floor_sampled", _always, resample=2, temperature=0.7, min_logprob=0.0)
    tries = resampled(sampled.site, inputs, _serve_base(store, sampled))
    assert len(tries) == 1 and tries[0].reason is None


def test_the_floor_is_the_sites_own_else_the_one_the_gate_calibrated(store):
    """``confidence_floor`` is what serving judges by: a site's ``Graduation.min_logprob`` wins;
    without one, the threshold the gate's eval stored with the version; without that, none."""
    calibrated = _site("tests:floor_calibrated", _always, resample=0, min_logprob=None)
    version = _serve_base(store, calibrated)
    assert confidence_floor(calibrated.site, version) is None
    Registry(store).attach_eval(calibrated.site.name, version.version, {"meta": {"min_logprob_threshold": -0.75}})
    version = Registry(store).get(calibrated.site.name, version.version)
    assert confidence_floor(calibrated.site, version) == -0.75
    own = _site("tests:floor_own", _always, resample=0, min_logprob=-2.5)
    assert confidence_floor(own.site, version) == -2.5


def test_serving_a_sampling_site_draws_a_seed_per_call_and_records_it(store):
    """The same inputs get varied answers live (a generator should vary), and each served call
    records its seed, so it can be replayed exactly."""
    pick = _site("tests:seed_per_call", _always, resample=0, temperature=1.5)
    version = _serve_base(store, pick)
    text = "the night is young"
    for _ in range(4):
        pick(text)
    router.drain()
    served = [c for c in store.calls(pick.site.name, role="student") if (c["meta"] or {}).get("live") == "serve"]
    seeds = [c["meta"]["seed"] for c in served]
    assert len(served) == 4 and len(set(seeds)) == 4
    for call in served[:2]:
        again = resampled(pick.site, {"text": text}, version, seed=call["meta"]["seed"])[0]
        assert again.answer.text == call["raw_output"]
