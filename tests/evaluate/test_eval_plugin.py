"""The core evaluator with an app's plug-in: one loop, the plug-in's metrics and gate, failure
counts, comparison and the text and HTML reports, with exact values; and a teacher answering
eval cases through the core's answer function."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from pydantic import BaseModel

import protege
from protege import CaseAnswer, Evaluator, TeacherError


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    label: str


class LabelEval:
    """A small label-classification plug-in: the answer must be {"label": ...} and match."""

    name = "labels"
    gate_name = "ship-ready"
    failure_categories = ("invalid_json", "wrong_label", "slow")

    def inputs(self, case: Case) -> dict:
        return {"text": case.text}

    def score(self, answer: CaseAnswer) -> dict:
        try:
            label = json.loads(answer.text).get("label")
        except (ValueError, AttributeError):
            label = None
        failures = ["invalid_json"] if label is None else ([] if label == answer.case.label else ["wrong_label"])
        return {"id": answer.case.id, "label": label, "latency_ms": answer.latency_ms, "failures": failures}

    def aggregate(self, cases, outcomes, *, slow_ms: float = 100.0) -> dict:
        for o in outcomes:
            if o["latency_ms"] is not None and o["latency_ms"] > slow_ms:
                o["failures"].append("slow")
        right = sum(1 for c, o in zip(cases, outcomes) if o["label"] == c.label)
        return {"metrics": {"accuracy": round(right / len(cases), 4) if cases else None}, "right": right}

    def gate(self, report, *, slow_ms: float = 100.0) -> list:
        accuracy = report["metrics"]["accuracy"]
        return [(accuracy is not None and accuracy >= 0.75, f"accuracy {accuracy} < 0.75"),
                (report["failure_counts"]["slow"] == 0, f"{report['failure_counts']['slow']} answer(s) over {slow_ms} ms")]

    def comparison_rules(self, baseline, candidate) -> list:
        return [(candidate["metrics"]["accuracy"] >= baseline["metrics"]["accuracy"], "accuracy went down")]

    def report_sections(self, report) -> list:
        return [("labels <seen>", ", ".join(sorted({str(o["label"]) for o in report["outcomes"]})))]


CASES = [Case("a", "love it", "pos"), Case("b", "hate it", "neg"), Case("c", "meh", "neutral"), Case("d", "great", "pos")]
GOOD = {"love it": ('{"label": "pos"}', 20.0), "hate it": ('{"label": "neg"}', 30.0),
        "meh": ('{"label": "neutral"}', 40.0), "great": ('{"label": "pos"}', 50.0)}
BAD = {"love it": ('{"label": "neg"}', 20.0), "hate it": ("not json", 30.0),
       "meh": ('{"label": "neutral"}', 400.0), "great": ('{"label": "neg"}', 50.0)}


def answer_from(table):
    asked = []

    def answer(inputs: dict) -> tuple[str, float]:
        asked.append(inputs)
        return table[inputs["text"]]

    return answer, asked


def test_one_loop_asks_every_case_with_the_plugins_inputs_and_reports_its_numbers():
    evaluator = Evaluator(LabelEval())
    answer, asked = answer_from(BAD)
    progress = []
    report = evaluator.run(CASES, answer, model="bad model", progress=lambda i, n: progress.append((i, n)))
    assert asked == [{"text": c.text} for c in CASES] and progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert report["model"] == "bad model" and report["cases"] == 4 and report["right"] == 1
    assert report["metrics"] == {"accuracy": 0.25}
    assert report["failure_counts"] == {"invalid_json": 1, "wrong_label": 2, "slow": 1}
    assert report["top_failures"] == [["wrong_label", 2], ["invalid_json", 1], ["slow", 1]]
    assert [o["failures"] for o in report["outcomes"]] == [["wrong_label"], ["invalid_json"], ["slow"], ["wrong_label"]]
    assert [o["raw_output"] for o in report["outcomes"]] == [BAD[c.text][0] for c in CASES]
    assert report["gate"] == {"passed": False, "failures": ("accuracy 0.25 < 0.75", "1 answer(s) over 100.0 ms")}
    assert report["created"]
    # options reach the plugin's aggregate and gate
    lenient = evaluator.evaluate([CaseAnswer(c, *BAD[c.text]) for c in CASES], slow_ms=500.0)
    assert lenient["failure_counts"]["slow"] == 0 and lenient["gate"]["failures"] == ("accuracy 0.25 < 0.75",)


def test_comparison_and_text_report():
    evaluator = Evaluator(LabelEval())
    bad = evaluator.run(CASES, answer_from(BAD)[0], model="before")
    good = evaluator.run(CASES, answer_from(GOOD)[0], model="after")
    assert good["gate"] == {"passed": True, "failures": ()}
    forward = evaluator.compare(bad, good)
    assert forward["metrics"] == [{"metric": "accuracy", "baseline": 0.25, "candidate": 1.0, "delta": 0.75}]
    assert forward["use_candidate"] and forward["blocking_reasons"] == []
    assert forward["baseline_top_failures"] == [["wrong_label", 2], ["invalid_json", 1], ["slow", 1]]
    backward = evaluator.compare(good, bad)
    assert not backward["use_candidate"] and backward["blocking_reasons"] == ["accuracy went down"]
    assert evaluator.comparison_text(backward).splitlines() == [
        "metric                         baseline  candidate    delta",
        "accuracy                         1.0000     0.2500  -0.7500",
        "top failures, baseline: none",
        "top failures, candidate: wrong_label (2), invalid_json (1), slow (1)",
        "use candidate: no: accuracy went down",
    ]
    assert evaluator.text(bad).splitlines() == [
        "accuracy                     0.25",
        "top failures: wrong_label (2), invalid_json (1), slow (1)",
        "ship-ready: no: accuracy 0.25 < 0.75; 1 answer(s) over 100.0 ms",
        "labels <seen>:",
        "None, neg, neutral",
    ]


def test_html_report_is_escaped_and_carries_the_comparison():
    evaluator = Evaluator(LabelEval())
    bad = evaluator.run(CASES, answer_from(BAD)[0], model="<b>before</b>")
    good = evaluator.run(CASES, answer_from(GOOD)[0], model="after")
    page = evaluator.html(good, css=protege.report_css(), comparison=evaluator.compare(bad, good))
    assert page.startswith("<!doctype html>") and "ship-ready: yes" in page
    assert "<td>accuracy</td><td>1.0000</td>" in page and "<td>slow</td><td>0</td>" in page
    assert "against &lt;b&gt;before&lt;/b&gt;: use candidate yes" in page and "<b>before</b>" not in page
    assert "<h2>labels &lt;seen&gt;</h2>" in page


def test_a_plugin_is_checked_when_the_evaluator_is_made_and_its_categories_when_it_scores():
    class Half:
        name = "half"

        def score(self, answer):
            return {}

    with pytest.raises(TypeError, match="Half is not an EvalPlugin: it has no gate_name, failure_categories, inputs"):
        Evaluator(Half())

    class Unlisted(LabelEval):
        failure_categories = ("invalid_json", "slow")

    with pytest.raises(ValueError, match=r"labels: failure categories \['wrong_label'\] are not in failure_categories"):
        Evaluator(Unlisted()).evaluate([CaseAnswer(CASES[0], '{"label": "neg"}', 1.0)])
    assert isinstance(LabelEval(), protege.EvalPlugin) and not isinstance(Half(), protege.EvalPlugin)


class Sentiment(BaseModel):
    label: str


def test_a_teacher_answers_eval_cases_through_the_core_and_its_errors_are_scored(store):
    known = {"love it": "pos", "hate it": "neg", "great": "pos"}

    def teacher(text: str) -> dict:
        if text not in known:
            raise TeacherError(f"no label for {text!r}")
        return {"label": known[text]}

    @protege.llm(teacher=teacher, name="tests.evaluate:classify")
    def classify(text: str) -> Sentiment:
        """Label the sentiment of the text: pos, neg or neutral."""

    answer = protege.teacher_answerer(classify.site, protege.resolve_teacher(teacher))
    report = Evaluator(LabelEval()).run(CASES, answer, model="teacher")
    assert [o["label"] for o in report["outcomes"]] == ["pos", "neg", None, "pos"]
    assert report["outcomes"][2]["raw_output"] == "(teacher error: no label for 'meh')"
    assert report["metrics"]["accuracy"] == 0.75 and report["failure_counts"]["invalid_json"] == 1
    assert store.calls(classify.site.name, limit=10) == []  # eval answers are never recorded
    with pytest.raises(ValueError, match="prompt must be 'student' or 'teacher'"):
        protege.gguf_answerer(classify.site, "unused.gguf", prompt="system")
