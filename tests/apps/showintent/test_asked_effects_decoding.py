"""Decoding a message that asks for a gated effect (fog, hazer, strobe, confetti): the student can no
longer leave the effect out with an answer that the ``faithful_to_message`` validator refuses (a
mood, a mixer scene, another effect, a preapproved cue), while an unknown cue, a cue that needs
approval and a refusal stay possible. And a message that names none of them cannot be answered by
arming one, which the validator refuses too."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from protege.apps.showintent import catalog
from protege.apps.showintent.callsite import (
    STUDENT_DECODE_SCHEMA,
    faithful_to_message,
    parse_show_intent,
)
from protege.apps.showintent.decoding import none_of
from protege.apps.showintent.generator import generate_rows
from protege.apps.showintent.policy import tries_to_change_rules
from protege.apps.showintent.safety import GATED_EFFECT_PATTERNS, read_message
from protege.apps.showintent.schema import parse_intent

sys.path.insert(0, str(Path(__file__).parent))
from test_safety_decoding import accepts, vocab  # noqa: F401 (vocab is a fixture)

_MIXER = {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "ui24"},
          "target": {"kind": "show"}}


def test_none_of_is_every_string_but_the_names():
    names = ["ember_field", "ember", "doors_idle", "e"]
    pattern = re.compile(none_of(names))
    rng = random.Random(3)
    pieces = ["e", "mber", "_", "field", "doors", "_idle", "x", "E", "\n", " ", "é"]
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        assert bool(pattern.fullmatch(text)) == (text not in names), repr(text)


ASKED = [  # a message asking for a gated effect, answers that keep it, answers that leave it out
    ("solta um strobe rapidinho no drop",
     [{"type": "arm_effect", "effect": "strobe"}, {"type": "request_cue", "cue": "strobe_soft_sim"},
      {"type": "request_cue", "cue": "raio_laser"}],
     [{"type": "request_cue", "cue": "kinetic_type_storm"}, {"type": "arm_effect", "effect": "fog"},
      {"type": "change_mood", "mood": "hype"}, _MIXER]),
    ("fog for 5 seconds on the dance floor",
     [{"type": "arm_effect", "effect": "fog", "duration_seconds": 5}, {"type": "request_cue", "cue": "fog_short_burst"}],
     [{"type": "request_cue", "cue": "ember_field"}, {"type": "arm_effect", "effect": "hazer", "duration_seconds": 5},
      {"type": "change_mood", "mood": "calm"}]),
]
_REFUSED = {"type": "blocked_request", "reason": "unknown_cue", "operator_message": "Not in the catalog."}


@pytest.mark.parametrize(("message", "keeping", "leaving"), ASKED, ids=[m for m, _, _ in ASKED])
def test_an_effect_the_message_asks_for_cannot_be_left_out(vocab, message, keeping, leaving):  # noqa: F811
    """Two held-out answers of session 19's Qwen student played a preapproved cue for a strobe
    and a fog request; the validator sent them to the teacher, and decoding now refuses them."""
    inputs = {"message": message, "locale": "en"}
    schema = parse_show_intent.site.decode_schema_for(inputs)
    for answer in [*keeping, _REFUSED]:
        assert accepts(vocab, schema, answer), answer
    for answer in leaving:
        assert accepts(vocab, STUDENT_DECODE_SCHEMA, answer)  # only the per-message narrowing refuses it
        assert not accepts(vocab, schema, answer), answer
        assert not faithful_to_message.check(parse_intent(answer), inputs).ok, answer


def test_the_asked_effect_narrowing_only_refuses_what_the_validator_refuses(vocab):  # noqa: F811
    """Over a third of the generated messages asking for a gated effect: each label decodes, and
    every answer that leaves the effect out is refused by decoding and by faithful_to_message
    alike."""
    site = parse_show_intent.site
    preapproved = sorted(c for c in catalog.KNOWN_CUES if catalog.is_preapproved(c))
    narrowed = checked = refused = 0
    for row in generate_rows(800, seed=12):
        message = row.inputs["message"]
        reading = read_message(message)
        if tries_to_change_rules(message) or reading.blocked_effects or reading.raw_control or not reading.gated_asked:
            continue
        narrowed += 1
        if narrowed % 3:
            continue  # each message with its own numbers compiles its own grammar: a third suffices
        checked += 1
        schema = site.decode_schema_for(row.inputs)
        assert accepts(vocab, schema, row.expected_intent), (message, row.expected_intent)
        other = next(e for e in sorted(GATED_EFFECT_PATTERNS) if e not in reading.gated_named)
        for answer in [{"type": "change_mood", "mood": "premium"}, _MIXER, {"type": "arm_effect", "effect": other},
                       {"type": "request_cue", "cue": preapproved[checked % len(preapproved)]}]:
            assert not accepts(vocab, schema, answer), (message, answer)
            assert not faithful_to_message.check(parse_intent(answer), row.inputs).ok, (message, answer)
            refused += 1
    assert narrowed >= 100 and checked >= 60 and refused == 4 * checked, (narrowed, checked, refused)


_GATED = sorted(GATED_EFFECT_PATTERNS)


@pytest.mark.parametrize("message", ["mais energia agora, a pista encheu", "vibe de festa, cores quentes",
                                     "make it feel like a rave in here"])
def test_a_gated_effect_the_message_never_names_cannot_be_armed(vocab, message):  # noqa: F811
    """Session 19's Qwen student answered mood requests by arming the hazer ("sobe pra hype a
    80%"); faithful_to_message now refuses that and decoding cannot write it. Operator-only
    effects stay possible: the policy blocks them whatever the message says."""
    inputs = {"message": message, "locale": "pt-BR"}
    schema = parse_show_intent.site.decode_schema_for(inputs)
    assert accepts(vocab, schema, {"type": "change_mood", "mood": "hype", "intensity": 0.8})
    assert accepts(vocab, schema, {"type": "arm_effect", "effect": "laser"})
    for effect in _GATED:
        answer = {"type": "arm_effect", "effect": effect, "duration_seconds": 3.0, "intensity": 0.35}
        assert accepts(vocab, STUDENT_DECODE_SCHEMA, answer)
        assert not accepts(vocab, schema, answer), answer
        assert not faithful_to_message.check(parse_intent(answer), inputs).ok, answer


@pytest.mark.parametrize(("message", "effect"), [
    ("um hazezinho por 2 segundos", "hazer"), ("manda um hze, 40 por cento", "hazer"), ("coloca hzae no salao", "hazer"),
    ("solta o glo seco", "fog"), ("da uma fuacada", "fog"), ("quero o ar eevoado pra luz aparecer", "hazer")])
def test_the_reader_knows_the_ways_the_generator_names_an_effect(vocab, message, effect):  # noqa: F811
    """Diminutives and one slip of the thumb ("hazezinho", "hze", "glo seco") still name the
    effect, so a faithful answer to them can still be armed."""
    inputs = {"message": message, "locale": "pt-BR"}
    assert read_message(message).gated_named == (effect,)
    answer = {"type": "arm_effect", "effect": effect}
    assert accepts(vocab, parse_show_intent.site.decode_schema_for(inputs), answer)
    assert faithful_to_message.check(parse_intent(answer), inputs).ok
    assert read_message("turn on the hazard lights").gated_named == ()


def test_a_message_with_no_words_leaves_arming_to_the_rules(vocab):  # noqa: F811
    """Nothing in "🔥🔥" names an effect or anything else: the validator has nothing to hold an
    armed effect to, so decoding takes nothing away either."""
    inputs = {"message": "🔥🔥", "locale": "pt-BR"}
    answer = {"type": "arm_effect", "effect": "fog"}
    assert accepts(vocab, parse_show_intent.site.decode_schema_for(inputs), answer)
    assert faithful_to_message.check(parse_intent(answer), inputs).ok


def test_the_unnamed_effect_narrowing_only_refuses_what_the_validator_refuses(vocab):  # noqa: F811
    """Over generated messages: no label arms a gated effect its message does not name (the
    reader reads every way the generator says one), and on a sample of the messages that name
    none, the label decodes and arming any gated effect is refused by decoding and by
    faithful_to_message alike. (Every label decoding is test_safety_decoding's check.)"""
    site = parse_show_intent.site
    unnamed = sampled = 0
    for row in generate_rows(1500, seed=21):
        message, label = row.inputs["message"], row.expected_intent
        reading = read_message(message)
        if label["type"] == "arm_effect" and label["effect"] in GATED_EFFECT_PATTERNS:
            assert label["effect"] in reading.gated_named, (message, label)
        if tries_to_change_rules(message) or reading.gated_named or reading.blocked_effects or reading.raw_control:
            continue
        unnamed += 1
        if unnamed % 25:
            continue  # each message with its own numbers compiles its own grammar: a sample suffices
        sampled += 1
        schema = site.decode_schema_for(row.inputs)
        assert accepts(vocab, schema, label), (message, label)
        for effect in _GATED:
            answer = {"type": "arm_effect", "effect": effect}
            assert not accepts(vocab, schema, answer), (message, answer)
            assert not faithful_to_message.check(parse_intent(answer), row.inputs).ok, (message, answer)
    assert unnamed >= 300 and sampled >= 20, (unnamed, sampled)
