"""`protege rpg review`: blinded pairs scored through Typer's runner on a real store, resumed,
re-asked on bad input, and the report's numbers on a small example computed by hand."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import protege
from protege.apps.rpg import procedural, review
from protege.apps.rpg.callsite import create_next_map
from protege.apps.rpg.cli import app
from protege.store import CallRecord

sys.path.insert(0, str(Path(__file__).parent))
from rpg_maps import good_map  # noqa: E402

runner = CliRunner()
SITE = create_next_map.site.name
STUDENT_MAP = good_map().model_dump(mode="json")  # 6x5: its border is 8 wide, a teacher map's 22
TEACHER_TOP, STUDENT_TOP = "B" * 22, "B" * 8


def make_pairs(levels: int) -> list[int]:
    """Play ``levels`` levels with the procedural teachers, then record a student answer for the
    inputs of each map call, as the router records a shadow answer. Returns the teacher call ids."""
    played = runner.invoke(app, ["play", "--levels", str(levels), "--seed", "4", "--json"])
    assert played.exit_code == 0, played.output
    store = protege.Store.default()
    teachers = store.calls(SITE, role="teacher")[::-1]
    assert len(teachers) == levels
    for call in teachers:
        store.record_call(CallRecord(
            site=SITE, fingerprint=call["fingerprint"], role="student", model=f"{SITE}@v1", inputs=call["inputs"],
            raw_output=json.dumps(STUDENT_MAP), parsed_output=STUDENT_MAP, cost_usd=0.0,
            meta={"version": 1, "live": "shadow"}))
    return [c["id"] for c in teachers]


def answers(*pairs: tuple) -> str:
    """Typed lines: per pair (A, B) scores for each rubric item, then a note for A and for B."""
    lines = []
    for (a, b), note_a, note_b in pairs:
        for x, y in zip(a, b):
            lines += [str(x), str(y)]
        lines += [note_a, note_b]
    return "\n".join(lines) + "\n"


def by_pair(rows: list[dict]) -> dict[int, dict[str, dict]]:
    found: dict[int, dict[str, dict]] = {}
    for row in rows:
        found.setdefault(row["teacher_call_id"], {})[row["label"]] = row
    return found


def test_a_session_scores_blinded_pairs_and_stores_which_was_which(home):
    teacher_ids = make_pairs(2)
    typed = answers((((4, 5, 3), (2, 4, 1)), "too empty", ""), (((3, 3, 3), (5, 5, 5)), "", "nice maze"))
    result = runner.invoke(app, ["review", "--reviewer", "ana", "--seed", "7"], input=typed)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "== pair 1 of 2" in out and "== pair 2 of 2" in out and out.count("asked for: ") == 2
    # blinded: no role, model or version shows
    for word in ("teacher", "student", procedural.MAP_MODEL, "@v1"):
        assert word not in out
    assert out.rstrip().endswith("2 pair(s) scored now, 0 before, 0 left for ana")
    rows = protege.Store.default().reviews(SITE)
    assert len(rows) == 4 and {r["reviewer"] for r in rows} == {"ana"}
    pairs = by_pair(rows)
    assert sorted(pairs) == teacher_ids
    tops = [line for line in out.splitlines() if len(line.split()) == 2 and set(line.replace(" ", "")) == {"B"}]
    assert len(tops) == 2  # the top border of each pair (the 6x5 student map ends first)
    for number, teacher_id in enumerate(teacher_ids):
        shown = pairs[teacher_id]
        assert {shown["A"]["role"], shown["B"]["role"]} == {"teacher", "student"}
        # the left map is the one stored as A
        left_is_teacher = tops[number].split()[0] == TEACHER_TOP
        assert (shown["A"]["role"] == "teacher") == left_is_teacher
        assert tops[number].split()[1] == (STUDENT_TOP if left_is_teacher else TEACHER_TOP)
        assert all(r["answered_at"] is not None for r in shown.values())
    first, second = pairs[teacher_ids[0]], pairs[teacher_ids[1]]
    assert first["A"]["scores"] == {"gameplay": 4, "structure": 5, "adherence": 3} and first["A"]["note"] == "too empty"
    assert first["B"]["scores"] == {"gameplay": 2, "structure": 4, "adherence": 1} and first["B"]["note"] == ""
    assert second["B"]["scores"] == {"gameplay": 5, "structure": 5, "adherence": 5} and second["B"]["note"] == "nice maze"


def test_the_order_is_random_per_pair_and_fixed_by_the_seed(home):
    make_pairs(8)
    store = protege.Store.default()
    draws = random.Random(11)
    shown = [draws.choice(review.LABELS) for _ in range(8)]
    stop = iter(["q"])
    review.run_session(store, SITE, "bob", read=lambda _: next(stop), write=lambda _: None, rng=random.Random(11))
    # a session that stops at the first question has opened only the first pair
    assert [r["label"] for r in store.reviews(SITE, reviewer="bob") if r["role"] == "teacher"] == shown[:1]
    # every pair opened at once: the teacher is A in some pairs and B in others
    result = review.run_session(store, SITE, "cy", read=_always("3"), write=lambda _: None, rng=random.Random(11))
    assert result.scored == 8
    cy = [r["label"] for r in store.reviews(SITE, reviewer="cy") if r["role"] == "teacher"]
    assert cy == shown and set(cy) == {"A", "B"}


def _always(text: str):
    return lambda prompt: "" if prompt.startswith("note") else text


def test_a_stopped_session_resumes_where_it_stopped_with_the_same_blinding(home):
    teacher_ids = make_pairs(3)
    whole = answers((((5, 5, 5), (1, 1, 1)), "", ""))
    half = "2\n3\n4\n"  # gameplay A, gameplay B, structure A of the second pair, then the input ends
    first = runner.invoke(app, ["review", "--reviewer", "ana", "--seed", "1"], input=whole + half)
    assert first.exit_code == 0, first.output
    assert "1 pair(s) scored now, 0 before, 2 left for ana; stopped" in first.stdout
    store = protege.Store.default()
    pairs = by_pair(store.reviews(SITE))
    assert sorted(pairs) == teacher_ids[:2]
    labels_before = {label: row["role"] for label, row in pairs[teacher_ids[1]].items()}
    assert pairs[teacher_ids[1]]["A"]["scores"] == {"gameplay": 2, "structure": 4}
    assert pairs[teacher_ids[1]]["B"]["scores"] == {"gameplay": 3}
    assert all(r["answered_at"] is None for r in pairs[teacher_ids[1]].values())

    rest = "5\n4\n2\nthe note\n\n" + answers((((1, 2, 3), (3, 2, 1)), "", ""))
    again = runner.invoke(app, ["review", "--reviewer", "ana", "--seed", "99"], input=rest)
    assert again.exit_code == 0, again.output
    assert "== pair 1 of 3" not in again.stdout and "== pair 2 of 3" in again.stdout
    # the second pair asks only what was left: structure of B, adherence of both, the notes
    assert again.stdout.count("structural correctness and consistency, A [1-5]") == 1
    assert again.stdout.count("structural correctness and consistency, B [1-5]") == 2
    assert again.stdout.rstrip().endswith("2 pair(s) scored now, 1 before, 0 left for ana")
    pairs = by_pair(store.reviews(SITE))
    assert {label: row["role"] for label, row in pairs[teacher_ids[1]].items()} == labels_before
    assert pairs[teacher_ids[1]]["A"]["scores"] == {"gameplay": 2, "structure": 4, "adherence": 4}
    assert pairs[teacher_ids[1]]["B"]["scores"] == {"gameplay": 3, "structure": 5, "adherence": 2}
    assert pairs[teacher_ids[1]]["A"]["note"] == "the note"
    assert len(store.reviews(SITE)) == 6

    done = runner.invoke(app, ["review", "--reviewer", "ana"], input="")
    assert done.exit_code == 0 and "== pair" not in done.stdout
    assert done.stdout.rstrip().endswith("0 pair(s) scored now, 3 before, 0 left for ana")
    other = runner.invoke(app, ["review", "--reviewer", "bob"], input="q\n")
    assert "== pair 1 of 3" in other.stdout and "0 pair(s) scored now, 0 before, 3 left for bob; stopped" in other.stdout


def test_ctrl_c_keeps_every_answer_given(home):
    make_pairs(1)
    store = protege.Store.default()
    typed = iter(["4", "2", "5"])

    def read(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    with pytest.raises(KeyboardInterrupt):
        review.run_session(store, SITE, "ana", read=read, write=lambda _: None, rng=random.Random(0))
    rows = {r["label"]: r for r in store.reviews(SITE)}
    assert rows["A"]["scores"] == {"gameplay": 4, "structure": 5} and rows["B"]["scores"] == {"gameplay": 2}


def test_bad_input_is_asked_again_with_the_reason(home):
    make_pairs(1)
    typed = "7\nx\n\n 3 \n" + "4\n" * 5 + "\n\n"
    result = runner.invoke(app, ["review", "--reviewer", "ana"], input=typed)
    assert result.exit_code == 0, result.output
    hint = "is not a score: answer with a whole number from 1 (poor) to 5 (excellent) (q to stop; what you answered so far is kept)"
    for bad in ("'7'", "'x'", "''"):
        assert f"{bad} {hint}" in result.stdout
    assert result.stdout.count("gameplay viability and fun, A [1-5]: ") == 4
    rows = {r["label"]: r for r in protege.Store.default().reviews(SITE)}
    assert rows["A"]["scores"] == {"gameplay": 3, "structure": 4, "adherence": 4}
    assert rows["B"]["scores"] == {"gameplay": 4, "structure": 4, "adherence": 4}
    assert "1 pair(s) scored now" in result.stdout


def test_no_pairs_is_said_plainly(home):
    result = runner.invoke(app, ["review"], input="")
    assert result.exit_code == 0 and "no pairs to review" in result.stdout
    wrong = runner.invoke(app, ["review", "--json"])
    assert wrong.exit_code == 1 and "--json and --html go with --report" in wrong.output


def _score(store, reviewer, teacher_id, student_id, teacher, student, *, done=True):
    rows = store.open_review(SITE, reviewer, teacher_id, student_id, {"teacher": "A", "student": "B"})
    for role, scores in (("teacher", teacher), ("student", student)):
        store.answer_review(rows[role]["id"], scores=scores, note=f"{role} note" if done else None, answered=done)


def test_the_report_on_a_small_example_computed_by_hand(home, tmp_path):
    make_pairs(3)
    store = protege.Store.default()
    students = {protege.inputs_hash(c["inputs"]): c["id"] for c in store.calls(SITE, role="student")}
    teachers = store.calls(SITE, role="teacher")
    pair = [(t["id"], students[protege.inputs_hash(t["inputs"])]) for t in teachers[::-1]]
    _score(store, "ana", *pair[0], {"gameplay": 4, "structure": 5, "adherence": 3}, {"gameplay": 2, "structure": 5, "adherence": 3})
    _score(store, "ana", *pair[1], {"gameplay": 4, "structure": 4, "adherence": 5}, {"gameplay": 4, "structure": 3, "adherence": 2})
    _score(store, "ana", *pair[2], {"gameplay": 1}, {}, done=False)  # the student side not scored: counts nowhere

    result = runner.invoke(app, ["review", "--report", "--json", "--html", str(tmp_path / "review.html")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["pairs"], report["pairs_complete"], report["reviewers"]) == (3, 2, ["ana"])
    assert report["interval"] == {"method": "percentile bootstrap of the mean over pairs", "confidence": 0.95,
                                  "resamples": 2000, "seed": 0}
    items = {i["item"]: i for i in report["items"]}
    # With two pairs a resampled mean is the first pair's, the mean of both, or the second's
    # (1/4, 1/2, 1/4 of 2,000 resamples): the 2.5th and 97.5th percentiles are the two pairs' values.
    assert items["gameplay"] == {
        "item": "gameplay", "title": "gameplay viability and fun", "n": 2,
        "teacher": {"mean": 4.0, "low": 4.0, "high": 4.0}, "student": {"mean": 3.0, "low": 2.0, "high": 4.0},
        "difference": {"mean": -1.0, "low": -2.0, "high": 0.0},
        "student_better": 0, "same": 1, "teacher_better": 1}
    assert (items["structure"]["teacher"], items["structure"]["student"], items["structure"]["difference"]) == (
        {"mean": 4.5, "low": 4.0, "high": 5.0}, {"mean": 4.0, "low": 3.0, "high": 5.0}, {"mean": -0.5, "low": -1.0, "high": 0.0})
    assert (items["adherence"]["teacher"], items["adherence"]["student"], items["adherence"]["difference"]) == (
        {"mean": 4.0, "low": 3.0, "high": 5.0}, {"mean": 2.5, "low": 2.0, "high": 3.0}, {"mean": -1.5, "low": -3.0, "high": 0.0})
    # overall: teacher (4+5+3)/3 = 4 and (4+4+5)/3 = 4.3333; student 3.3333 and 3
    assert (items["overall"]["teacher"], items["overall"]["student"], items["overall"]["difference"]) == (
        {"mean": 4.1667, "low": 4.0, "high": 4.3333}, {"mean": 3.1667, "low": 3.0, "high": 3.3333},
        {"mean": -1.0, "low": -1.3333, "high": -0.6667})
    assert report["notes"] == [{"role": r, "label": label, "note": f"{r} note"}
                               for _ in range(2) for r, label in (("teacher", "A"), ("student", "B"))]
    page = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert "Manual review: " + SITE in page and "percentile bootstrap of the mean over pairs" in page
    assert "3.00 [2.00, 4.00]" in page and "-1.00 [-2.00, +0.00]" in page and "+0.00" in page
    assert "structural correctness and consistency" in page and "teacher note" in page

    text = runner.invoke(app, ["review", "--report"])
    assert text.exit_code == 0, text.output
    assert f"{SITE}: 2 pair(s) fully scored of 3 opened (reviewers: ana)" in text.stdout
    assert ("gameplay: teacher 4.00 [4.00, 4.00]  student 3.00 [2.00, 4.00]  student-teacher -1.00 [-2.00, +0.00]  n=2 "
            "(student better 0, same 1, teacher better 1)") in text.stdout
    assert "mean [95% percentile bootstrap of the mean over pairs, 2000 resamples, seed 0]" in text.stdout

    _score(store, "bob", *pair[0], {"gameplay": 5, "structure": 5, "adherence": 5}, {"gameplay": 5, "structure": 5, "adherence": 5})
    pooled = json.loads(runner.invoke(app, ["review", "--report", "--json"]).stdout)
    assert pooled["reviewers"] == ["ana", "bob"] and pooled["items"][0]["n"] == 3
    only_ana = json.loads(runner.invoke(app, ["review", "--report", "--json", "--reviewer", "ana"]).stdout)
    assert only_ana["items"] == report["items"]


def test_an_empty_report_says_so(home):
    result = runner.invoke(app, ["review", "--report"])
    assert result.exit_code == 0, result.output
    assert "0 pair(s) fully scored of 0 opened (reviewers: none)" in result.stdout
    assert result.stdout.count("no pair scored") == 4
