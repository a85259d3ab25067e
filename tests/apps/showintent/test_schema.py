"""ShowIntent v1: the contract the live-show runtime consumes."""

from __future__ import annotations

import importlib.util
import json

import pytest
from pydantic import ValidationError

from protege.apps.showintent.schema import (
    INTENT_TYPES,
    MIN_CONFIDENCE,
    SCHEMA_VERSION,
    SHOWINTENT_ADAPTER,
    ShowEffect,
    envelope_from_text,
    intent_to_dict,
    parse_intent,
    showintent_json_schema,
)

VALID = [
    {"type": "announce", "text": "Bem-vindos", "tone": "premium", "voice": "ana"},
    {"type": "change_mood", "mood": "calm", "palette": ["#001122"] * 8, "intensity": 0, "duration_seconds": 0.5,
     "reason": "dinner"},
    {"type": "request_cue", "cue": "neon_pulse", "cue_kind": "safe_state", "intensity": 1, "timing": "next_phrase",
     "reason": "", "scene_id": "s1", "preapproved": True},
    {"type": "arm_effect", "effect": "confetti_sim", "duration_seconds": 3, "intensity": 1.0, "timing": "manual"},
    {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "m1"},
     "target": {"kind": "cue", "cue_name": "c", "scene_id": "x"},
     "request": {"source": "td_audio_analysis", "raw_text": "t", "requested_for": "drop"}},
    {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "m1"},
     "target": {"kind": "snapshot", "snapshot_name": "open"}},
    {"type": "approve_effect", "approval_id": "apr-1", "operator": "foh"},
    {"type": "cancel_effect", "approval_id": "apr-1"},
    {"type": "panic_status", "request": "clear_panic_after_operator_confirmation"},
    {"type": "log_note", "note": "ok", "tags": ["a"] * 16},
    {"type": "blocked_request", "reason": "x", "operator_message": "y"},
]


def test_every_variant_round_trips():
    assert sorted({v["type"] for v in VALID}) == sorted(INTENT_TYPES)
    for value in VALID:
        assert intent_to_dict(parse_intent(value)) == value, value  # nothing added, nothing lost
        assert intent_to_dict(parse_intent(json.dumps(value)))["type"] == value["type"]


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "announce", "text": "   "},
        {"type": "announce", "text": "x", "tone": "angry"},
        {"type": "announce", "text": "x", "tone": None},  # optional means omitted, never null
        {"type": "announce", "text": "x", "colour": "red"},
        {"type": "change_mood", "mood": "x", "intensity": 1.01},
        {"type": "change_mood", "mood": "x", "duration_seconds": 0},
        {"type": "change_mood", "mood": "x", "palette": ["a"] * 9},
        {"type": "change_mood", "mood": "x", "palette": [" "]},
        {"type": "request_cue", "cue": "x", "cue_kind": "physical_effect"},
        {"type": "request_cue", "cue": "x", "timing": "later"},
        {"type": "arm_effect", "effect": "smoke"},
        {"type": "arm_effect", "effect": "fog", "intensity": -0.1},
        {"type": "arm_mixer_scene", "adapter_target": {"kind": "x32", "mixer_id": "m"}, "target": {"kind": "show"}},
        {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "m"},
         "target": {"kind": "show", "snapshot_name": "n"}},
        {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "m"},
         "target": {"kind": "show"}, "request": {"source": "telegram"}},
        {"type": "approve_effect", "approval_id": "a"},
        {"type": "cancel_effect", "approval_id": ""},
        {"type": "panic_status", "request": "reboot"},
        {"type": "log_note", "note": "x", "tags": ["t"] * 17},
        {"type": "blocked_request", "reason": "x"},
        {"type": "launch_rocket"},
        {"effect": "fog"},
    ],
)
def test_invalid_shapes_are_rejected(bad):
    with pytest.raises(ValidationError):
        parse_intent(bad)


def test_non_empty_strings_are_trimmed_and_defaults_apply():
    intent = parse_intent({"type": "change_mood", "mood": "  premium "})
    assert intent.mood == "premium" and intent.intensity == 0.5
    assert intent_to_dict(intent) == {"type": "change_mood", "mood": "premium"}
    assert parse_intent({"type": "log_note", "note": "n"}).tags == []


def test_effects_and_constants():
    assert [e.value for e in ShowEffect] == ["fog", "hazer", "strobe", "confetti_sim", "blackout", "freeze",
                                             "moving_head", "laser", "mixer_gain", "pa_mute", "audio_routing"]
    assert SCHEMA_VERSION == "showintent.v1" and MIN_CONFIDENCE == 0.55


def test_envelope_and_unparseable_output():
    ok = envelope_from_text(json.dumps({"intent": VALID[0], "confidence": 0.9, "source_summary": "s",
                                        "needs_operator_review": False}))
    assert ok.intent.type == "announce" and ok.confidence == 0.9
    bare = envelope_from_text(json.dumps(VALID[1]))
    assert bare.intent.type == "change_mood"
    for broken in ("not json", '{"type": "arm_effect"}', json.dumps({"intent": VALID[0], "confidence": 2})):
        env = envelope_from_text(broken)
        assert env.intent.type == "blocked_request" and env.confidence == 0 and env.needs_operator_review


def test_json_schema_is_compact_and_closed():
    schema = showintent_json_schema()
    text = json.dumps(schema)
    assert len(text) < 6000 and '"title"' not in text and "discriminator" not in text and "null" not in text
    assert set(schema) == {"$defs", "oneOf"}
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":
            assert definition["additionalProperties"] is False, name
    variants = [ref["$ref"].rsplit("/", 1)[1] for ref in schema["oneOf"]]
    assert [schema["$defs"][v]["properties"]["type"]["const"] for v in variants] == list(INTENT_TYPES)
    assert SHOWINTENT_ADAPTER.validate_python(VALID[3]).type == "arm_effect"


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python not installed")
def test_llama_cpp_turns_the_schema_into_a_grammar():
    from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

    gbnf = json_schema_to_gbnf(json.dumps(showintent_json_schema()))
    assert '"\\"arm_effect\\""' in gbnf and '"\\"soundcraft_ui24r\\""' in gbnf
    LlamaGrammar.from_string(gbnf, verbose=False)
