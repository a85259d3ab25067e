"""Metrics on small hand-made rows, with every expected number worked out by hand."""

from __future__ import annotations

import pytest

from protege.evaluate import (
    EvalReport,
    EvalRow,
    NumericTolerance,
    agreement,
    detect_enum_fields,
    evaluate_rows,
    percentile_nearest_rank,
)
from protege.evaluate.jsonleaves import canonical_json, collapse, compare_leaves, flatten

PLAY_INTRO = {"type": "play", "track": "intro", "volume": 0.8}


def hand_rows() -> list[EvalRow]:
    """Seven ShowIntent-like rows; each one exercises a different way to pass or fail."""
    return [
        # a: agrees within the numeric tolerance, but is not an exact match
        EvalRow(id="a", reference=PLAY_INTRO, raw_text="…", schema_valid=True,
                parsed={"volume": 0.80000001, "track": "intro", "type": "play"},
                verdicts={"allowed": (True, "", True), "short": (True, "", False)},
                latency_ms=100, tokens_in=20, tokens_out=10,
                slices={"locale": "pt-BR", "tags": ["telegram"]}),
        # b: wrong track; the quality validator "short" fails
        EvalRow(id="b", reference={"type": "play", "track": "outro", "volume": 0.5},
                parsed={"type": "play", "track": "intro", "volume": 0.5}, schema_valid=True,
                verdicts={"allowed": (True, "", True), "short": (False, "too long", False)},
                latency_ms=200, tokens_in=30, tokens_out=12, slices={"locale": "en"}),
        # c: exact match, but the safety validator fails
        EvalRow(id="c", reference={"type": "stop"}, parsed={"type": "stop"}, schema_valid=True,
                verdicts={"allowed": (False, "blocked venue", True)},
                latency_ms=300, tokens_in=10, tokens_out=4,
                slices={"locale": "pt-BR", "tags": ["telegram", "urgent"]}),
        # d: not JSON at all
        EvalRow(id="d", reference={"type": "stop"}, raw_text="{not json", parsed=None,
                latency_ms=400, tokens_in=10, slices={"locale": "en"}),
        # e: valid and validators pass, but the wrong intent
        EvalRow(id="e", reference={"type": "play", "track": "intro", "volume": 1},
                parsed={"type": "stop"}, schema_valid=True,
                verdicts={"allowed": (True, "", True)}, latency_ms=500),
        # f: the call failed
        EvalRow(id="f", reference={"type": "stop"}, error="timeout after 30 s"),
        # g: right values (1 == 1.0) plus an invented field; schema rejects it
        EvalRow(id="g", reference={"type": "play", "track": "intro", "volume": 1},
                parsed={"type": "play", "track": "intro", "volume": 1.0, "extra": "x"},
                schema_valid=False, latency_ms=600),
    ]


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return evaluate_rows(hand_rows())


def test_headline_rates(report: EvalReport):
    assert report.n == 7
    assert report.valid_json_rate == pytest.approx(5 / 7)  # a b c e g
    assert report.schema_valid_rate == pytest.approx(4 / 7)  # a b c e
    assert report.exact_match_rate == pytest.approx(1 / 7)  # c
    assert {c: (s.successes, s.n) for c, s in report.agreement.items()} == {
        "exact": (1, 7),  # c
        "fields": (2, 7),  # a (within tolerance), c
        "validators": (2, 7),  # a, e
    }
    assert [r.id for r in report.rows if r.fields] == ["a", "c"]


def test_per_field_agreement(report: EvalReport):
    got = {f.field: (f.n, f.agree, f.mismatch, f.missing, f.extra) for f in report.fields}
    assert got == {
        "type": (7, 4, 1, 2, 0),  # e mismatches; d (no JSON) and f (error) miss it
        "track": (4, 2, 1, 1, 0),  # b mismatches, e misses
        "volume": (4, 3, 0, 1, 0),  # a within tolerance, g has 1.0 for 1
        "extra": (1, 0, 0, 0, 1),  # g invented it
    }
    assert [f.field for f in report.fields] == ["extra", "track", "type", "volume"]
    assert next(f for f in report.fields if f.field == "type").rate == pytest.approx(4 / 7)


def test_validators_and_safety(report: EvalReport):
    allowed, short = report.validators
    assert (allowed.name, allowed.safety, allowed.n, allowed.passed, allowed.failed) == (
        "allowed", True, 4, 3, 1)
    assert allowed.examples[0].row_id == "c" and allowed.examples[0].detail == "blocked venue"
    assert (short.name, short.safety, short.n, short.passed, short.rate) == (
        "short", False, 2, 1, 0.5)
    assert report.safety_failures == 1


def test_latency_and_tokens(report: EvalReport):
    lat = report.latency
    assert (lat.n, lat.p50, lat.p95, lat.mean, lat.min, lat.max) == (6, 300, 600, 350, 100, 600)
    tok = report.tokens
    assert (tok.total_in, tok.total_out, tok.mean_in) == (70, 26, 17.5)
    assert tok.mean_out == pytest.approx(26 / 3)


def test_slices(report: EvalReport):
    pt, en = report.slices["locale"]["pt-BR"], report.slices["locale"]["en"]
    def rates(s):
        return s.n, s.exact_match_rate, s.schema_valid_rate, s.fields_agreement_rate

    assert rates(pt) == (2, 0.5, 1, 1)
    assert rates(en) == (2, 0, 0.5, 0)
    assert report.slices["tags"]["telegram"].n == 2
    assert report.slices["tags"]["urgent"].exact_match_rate == 1.0


def test_failure_categories(report: EvalReport):
    counts = {f.category: f.count for f in report.failures}
    assert counts == {
        "error": 1,
        "invalid_json": 1,
        "schema_invalid": 1,
        "validator:allowed": 1,
        "validator:short": 1,
        "field:track mismatch": 1,
        "field:type mismatch": 1,
        "field:track missing": 1,
        "field:volume missing": 1,
        "field:extra extra": 1,
    }
    by_cat = {f.category: f.examples[0] for f in report.failures}
    assert by_cat["field:track mismatch"].row_id == "b"
    assert by_cat["field:track mismatch"].detail == 'track: expected "outro", got "intro"'
    assert by_cat["invalid_json"].detail == "{not json"
    assert by_cat["error"].detail == "timeout after 30 s"
    assert "safety validator allowed: blocked venue" == by_cat["validator:allowed"].detail


def test_failures_are_sorted_by_count_then_name():
    rows = hand_rows() + [EvalRow(id="h", reference={"type": "stop"}, raw_text="", parsed=None)]
    failures = evaluate_rows(rows).failures
    assert failures[0].category == "invalid_json" and failures[0].count == 2
    assert [f.row_id for f in failures[0].examples] == ["d", "h"]
    rest = [f.category for f in failures[1:]]
    assert rest == sorted(rest)


def test_confusion_matrix_of_the_discriminator(report: EvalReport):
    assert detect_enum_fields(hand_rows()) == ["track", "type"]
    matrix = next(m for m in report.confusion if m.field == "type")
    assert matrix.labels == ["play", "stop", "(no answer)"]
    assert matrix.matrix == [[3, 1, 0], [0, 1, 2], [0, 0, 0]]
    assert matrix.reference_labels == 2
    assert (matrix.n, matrix.accuracy) == (7, pytest.approx(4 / 7))
    only = evaluate_rows(hand_rows(), enum_fields=["type"]).confusion
    assert [m.field for m in only] == ["type"]


def test_free_text_is_not_taken_for_an_enum():
    rows = [EvalRow(id=i, reference={"text": f"note {i}", "kind": "ab"[i % 2]}) for i in range(6)]
    assert detect_enum_fields(rows) == ["kind"]


def test_agreement_criteria_on_single_rows():
    row = EvalRow(id=1, reference={"a": 1, "b": [1, 2]}, parsed={"b": [1.0, 2], "a": 1.0},
                  schema_valid=True)
    assert agreement(row, "exact") and agreement(row, "fields") and agreement(row, "validators")
    close = row.model_copy(update={"parsed": {"a": 1.05, "b": [1, 2]}})
    assert not agreement(close, "exact")
    assert not agreement(close, "fields")
    assert agreement(close, "fields", numeric_tolerance=0.1)
    assert agreement(close, "fields", numeric_tolerance=NumericTolerance(abs=0, rel=0.05))
    assert not agreement(close, "fields", numeric_tolerance=NumericTolerance(abs=0, rel=0.04))
    failing = EvalRow(**{**row.model_dump(), "verdicts": {"v": (False, "no", False)}})
    assert agreement(failing, "fields") and not agreement(failing, "validators")
    errored = row.model_copy(update={"error": "crashed"})
    assert not any(agreement(errored, c) for c in ("exact", "fields", "validators"))
    with pytest.raises(ValueError, match="fields"):
        agreement(row, "loose")  # type: ignore[arg-type]


def test_booleans_are_not_numbers():
    row = EvalRow(id=1, reference={"ok": True}, parsed={"ok": 1}, schema_valid=True)
    assert not agreement(row, "exact")
    assert not agreement(row, "fields", numeric_tolerance=1.0)


def test_leaf_paths_and_collapse():
    doc = {"items": [{"name": "a", "tags": ["x"]}, {"name": "b", "tags": []}],
           "labels": {"pt-BR": "oi", "a.b": 1}, "empty": {}}
    assert flatten(doc) == {
        "items[0].name": "a",
        "items[0].tags[0]": "x",
        "items[1].name": "b",
        "items[1].tags": [],
        "labels.pt-BR": "oi",
        'labels["a.b"]': 1,
        "empty": {},
    }
    assert flatten(3) == {"$": 3}
    assert flatten([1, [2]]) == {"[0]": 1, "[1][0]": 2}
    assert collapse("items[12].tags[0]") == "items[*].tags[*]"
    leaves = compare_leaves(doc, None, NumericTolerance())
    assert {leaf.status for leaf in leaves} == {"missing"}


def test_canonical_json_ignores_key_order_and_integral_floats():
    assert canonical_json({"b": 1.0, "a": [2.0, "é"]}) == canonical_json({"a": [2, "é"], "b": 1})
    assert canonical_json({"a": 1.5}) != canonical_json({"a": 1})


def test_nearest_rank_percentiles():
    values = [15, 20, 35, 40, 50]
    got = [percentile_nearest_rank(values, p) for p in (0, 5, 30, 40, 50, 100)]
    assert got == [15, 15, 20, 20, 35, 50]
    with pytest.raises(ValueError):
        percentile_nearest_rank([], 50)


def test_empty_and_duplicate_inputs():
    empty = evaluate_rows([])
    assert (empty.n, empty.exact_match_rate, empty.latency.p50) == (0, 0.0, None)
    assert empty.failures == [] and empty.fields == []
    with pytest.raises(ValueError, match="unique"):
        evaluate_rows([EvalRow(id=1, reference={}), EvalRow(id=1, reference={})])


def test_report_round_trips_through_json(report: EvalReport):
    again = EvalReport.model_validate_json(report.model_dump_json())
    assert again == report


def test_enum_fields_from_a_pydantic_union_schema():
    from enum import Enum
    from typing import Annotated, Literal, Union

    from pydantic import BaseModel, Field, TypeAdapter

    from protege.evaluate.schema_paths import enum_fields_from_schema

    class Effect(str, Enum):
        fog = "fog"
        strobe = "strobe"

    class Arm(BaseModel):
        type: Literal["arm_effect"]
        effect: Effect
        timing: Literal["now", "next_drop"] | None = None

    class Note(BaseModel):
        type: Literal["log_note"]
        note: str
        tags: list[Literal["ops", "safety"]] = []

    class Envelope(BaseModel):
        intent: Annotated[Union[Arm, Note], Field(discriminator="type")]
        confidence: float
        history: list["Envelope"] = []

    schema = TypeAdapter(Envelope).json_schema()
    # the recursive history is not unrolled; the one-value "type" const of a lone model is
    # not a label, the discriminator over the union is
    assert enum_fields_from_schema(schema) == [
        "intent.effect", "intent.tags[*]", "intent.timing", "intent.type"]
    assert enum_fields_from_schema(TypeAdapter(Effect).json_schema()) == ["$"]
    assert enum_fields_from_schema(TypeAdapter(Note).json_schema()) == ["tags[*]"]
    with pytest.raises(ValueError, match="not found"):
        enum_fields_from_schema({"properties": {"a": {"$ref": "#/$defs/Missing"}}})
