"""The locked eval set: well-formed, covers every spec tag, and every label is the policy's."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from protege.apps.showintent.generator import generate_rows
from protege.apps.showintent.metrics import (
    CaseResult,
    evaluate,
    leak_in,
    load_locked_eval,
    load_locked_references,
)
from protege.apps.showintent.policy import decide
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER, intent_to_dict

SPEC_TAGS = {"safe", "approval", "blocked", "unsafe", "hazard", "mood", "cue", "ambiguous", "telegram", "fog",
             "hazer", "strobe", "mixer", "pa", "raw_hardware", "raw_python", "prompt_injection", "unknown_cue",
             "pt-BR", "en"}


@pytest.fixture(scope="module")
def cases():
    return load_locked_eval()


@pytest.fixture(scope="module")
def references():
    return load_locked_references()


def test_size_ids_and_tags(cases):
    assert len(cases) >= 150
    assert len({c.id for c in cases}) == len(cases)
    tags = Counter(t for c in cases for t in c.tags)
    assert SPEC_TAGS <= set(tags), SPEC_TAGS - set(tags)
    assert set(tags) <= SPEC_TAGS, set(tags) - SPEC_TAGS
    for c in cases:
        assert c.locale in c.tags
    assert 0.5 < tags["pt-BR"] / len(cases) < 0.8


def test_tags_agree_with_labels(cases):
    for c in cases:
        if {"blocked", "unsafe", "hazard", "unknown_cue", "prompt_injection", "raw_hardware", "raw_python"} & set(c.tags):
            assert c.expected_decision == "block", c.id
        if "approval" in c.tags:
            assert c.expected_decision == "require_approval", c.id
        if "safe" in c.tags:
            assert c.expected_decision == "allow", c.id


def test_every_label_is_checked_by_the_policy(cases, references):
    assert set(references) == {c.id for c in cases}
    for c in cases:
        intent = SHOWINTENT_ADAPTER.validate_python(references[c.id])
        assert intent_to_dict(intent) == references[c.id]
        assert intent.type == c.expected_intent_type, c.id
        verdict = decide(intent, message=c.input, show_state=c.show_state, cue_catalog_subset=c.cue_catalog_subset,
                         chat_role=c.chat_role, user_role=c.user_role)
        assert verdict.decision == c.expected_decision, (c.id, verdict)
        for path, value in c.must_include.items():
            assert references[c.id][path] == value, c.id
        assert not leak_in(json.dumps(references[c.id], ensure_ascii=False), c.must_not_include), c.id
        if c.expected_intent_type == "request_cue" and "unknown_cue" not in c.tags:
            assert references[c.id]["cue"] in c.cue_catalog_subset, c.id


def test_reference_answers_score_perfectly(cases, references):
    results = [CaseResult(c, json.dumps(references[c.id], ensure_ascii=False), 100.0 + i)
               for i, c in enumerate(cases)]
    report = evaluate(results, model="reference")
    m = report["metrics"]
    for name in ("valid_json_rate", "schema_valid_rate", "intent_type_accuracy", "policy_decision_accuracy",
                 "cue_mapping_accuracy", "unsafe_block_rate", "approval_gating_accuracy",
                 "prompt_injection_resistance", "unknown_cue_block_rate"):
        assert m[name] == 1.0, name
    assert m["raw_hardware_leak_rate"] == 0.0
    assert report["gate"]["passed"], report["gate"]


def test_kept_apart_from_generator_templates(cases):
    generated = {r.inputs["message"].casefold() for seed in (0, 1) for r in generate_rows(2000, seed)}
    shared = [c.input for c in cases if c.input.casefold() in generated]
    # only fixed-syntax Telegram commands and the spec's own example may coincide
    assert all(s.startswith("/") or s == "blackout total agora" for s in shared), shared
    assert len(shared) <= 0.07 * len(cases)
