"""Hand-written operator phrasings: valid, covering every value, labelled as the policy and the
generator's conventions say, and kept apart from the locked eval set."""

from __future__ import annotations

import random
import re
from collections import Counter
from difflib import SequenceMatcher

import pytest

from protege.apps.showintent import catalog, vocab, written
from protege.apps.showintent.drafts import BASE_NOW, Draft
from protege.apps.showintent.generator import generate_rows
from protege.apps.showintent.metrics import load_locked_eval
from protege.apps.showintent.phrasing import strip_accents
from protege.apps.showintent.policy import decide


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", strip_accents(text.casefold()))


def near(a: str, b: str) -> bool:
    """Mostly the same words or nearly the same text: what a paraphrase of a locked case must not be."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    jaccard = len(set(wa) & set(wb)) / len(set(wa) | set(wb))
    return jaccard >= 0.45 or SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() >= 0.7


@pytest.fixture(scope="module")
def rows():
    return written.load()


def test_the_file_covers_every_cue_and_mood_in_both_languages(rows):
    keys = Counter((written._key(row.intent), row.locale) for row in rows)
    cues = sorted(c.name for c in catalog.CUES if c.kind != "physical_effect" and c.name != "panic_safe")
    for name in [*cues, "band_intro", "ai_intro_text"]:
        assert keys[(("request_cue", name), "pt-BR")] >= 3 and keys[(("request_cue", name), "en")] >= 2, name
    for mood in vocab.MOODS:
        assert keys[(("change_mood", mood), "pt-BR")] >= 4 and keys[(("change_mood", mood), "en")] >= 3, mood
    assert len({row.message.casefold() for row in rows}) == len(rows)


def test_labels_follow_the_generators_conventions(rows):
    for row in rows:
        assert row.intent.get("timing") != "now", row  # a bare "agora"/"now" is filler, not a timing
        if "intensity" in row.intent:
            level = row.intent["intensity"]
            assert 0.1 <= level <= 0.8 and re.search(rf"\b({round(level * 100)}|{round(level * 10)})\b", row.message), row


def test_the_policy_decides_every_line_as_its_category_expects(rows):
    state = {"current_mood": "calm", "panic": False, "pending_approvals": [], "recent_effects": [], "now": BASE_NOW}
    for row in rows:
        cue = row.intent.get("cue")
        want = "require_approval" if cue and not catalog.is_preapproved(cue) else "allow"
        decision = decide(row.intent, message=row.message, show_state=state, cue_catalog_subset=[cue] if cue else [],
                          chat_role="operator", user_role="foh")
        assert decision.decision == want, (row.message, decision.reasons)


def test_a_bad_line_is_named(tmp_path):
    path = tmp_path / "p.jsonl"
    good = '{"locale": "en", "message": "hit it", "intent": {"type": "request_cue", "cue": "neon_pulse"}}\n'
    for bad in ('{"locale": "en", "message": "go", "intent": {"type": "arm_effect", "effect": "fog"}}',
                '{"locale": "en", "message": "go", "intent": {"type": "request_cue", "cue": "made_up"}}',
                '{"locale": "en", "message": 3, "intent": {"type": "change_mood", "mood": "calm"}}',
                '{"locale": "en", "message": "go"'):
        path.write_text(good + bad + "\n")
        with pytest.raises(ValueError, match="p.jsonl line 2"):
            written.load(path)
    path.write_text(good)
    assert written.load(path)[0].intent == {"type": "request_cue", "cue": "neon_pulse"}


def test_no_written_message_is_close_to_a_locked_case(rows):
    locked = [case.input for case in load_locked_eval()]
    assert near(locked[0], locked[0] + " pls") and near(locked[0].upper(), locked[0])  # the check can fail
    assert not near("manda o neon pulse", "bota a maré lenta agora")
    close = [row.message for row in rows for case in locked if near(row.message, case)]
    assert close == []


def test_swap_gives_operator_prose_a_written_message_for_the_same_value(rows):
    rng, swapped = random.Random(1), 0
    for _ in range(200):
        draft = Draft("põe o neon pulse", {"type": "request_cue", "cue": "neon_pulse"}, ["cue", "brand"], cue="neon_pulse")
        result = written.swap(rng, draft, "pt-BR", 0.5)
        if result is not draft:
            swapped += 1
            found = next(row for row in rows if row.message == result.message)
            assert result.intent == found.intent and found.locale == "pt-BR" and result.tags == ["cue", "written"]
            assert result.cue == "neon_pulse"
    assert 60 < swapped < 140  # about half
    command = Draft("/cue neon_pulse", {"type": "request_cue", "cue": "neon_pulse"}, ["cue"], cue="neon_pulse")
    audience = Draft("calm it down", {"type": "change_mood", "mood": "calm"}, ["mood"], chat_role="audience")
    effect = Draft("fog", {"type": "arm_effect", "effect": "fog"}, ["fog"])
    for draft in (command, audience, effect):
        assert all(written.swap(random.Random(seed), draft, "pt-BR", 1.0) is draft for seed in range(20))


def test_generated_rows_carry_written_messages_only_when_asked(rows):
    plain = generate_rows(2000, seed=3)
    assert not [row for row in plain if "written" in row.tags]
    generated = generate_rows(2000, seed=3, written_share=0.5)
    first = next(i for i, row in enumerate(generated) if "written" in row.tags)
    assert plain[:first] == generated[:first] and [a.category for a in plain] == [b.category for b in generated]
    tagged = [row for row in generated if "written" in row.tags]
    assert 150 < len(tagged) < 600
    assert {row.expected_intent["type"] for row in tagged} == {"request_cue", "change_mood"}
    assert {row.expected_decision for row in tagged} == {"allow", "require_approval"}
    messages = {row.message.casefold() for row in rows}  # fillers may capitalise the first letter
    assert all(any(m in row.inputs["message"].casefold() for m in messages) for row in tagged if "typo" not in row.tags)
