"""The synthetic generator: deterministic, proportioned, schema-valid, and labelled by the policy."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest

from protege.apps.showintent import catalog, vocab
from protege.apps.showintent import vocab_extra as vx
from protege.apps.showintent.generator import generate_rows
from protege.apps.showintent.metrics import leak_in, load_locked_eval
from protege.apps.showintent.phrasing import Dealer, of, say_intensity, strip_accents
from protege.apps.showintent.policy import decide
from protege.apps.showintent.safety import read_message
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER, intent_to_dict


@pytest.fixture(scope="module")
def rows():
    return generate_rows(2000, seed=7)


def test_deterministic_per_seed():
    assert generate_rows(300, seed=3) == generate_rows(300, seed=3)
    assert generate_rows(300, seed=3) != generate_rows(300, seed=4)
    assert generate_rows(0, seed=1) == []
    with pytest.raises(ValueError):
        generate_rows(-1)


def test_category_and_locale_shares(rows):
    categories = Counter(r.category for r in rows)
    assert categories == {"safe": 800, "approval": 500, "blocked": 400, "ambiguous": 200, "telegram": 100}
    assert Counter(r.inputs["locale"] for r in rows) == {"pt-BR": 1500, "en": 500}
    small = Counter(r.category for r in generate_rows(7, seed=1))
    assert sum(small.values()) == 7 and small["safe"] >= 2
    assert [r.split for r in rows[:20]].count("validation") == 2
    assert rows[9].split == "validation" and rows[10].split == "train"


@pytest.mark.parametrize("seed", [0, 1, 2, 11, 12345])
def test_every_label_is_the_policy_decision(seed):
    for row in generate_rows(600, seed=seed):
        i = row.inputs
        assert set(i) == {"message", "show_state", "cue_catalog_subset", "chat_role", "user_role", "locale"}
        result = decide(row.expected_intent, message=i["message"], show_state=i["show_state"],
                        cue_catalog_subset=i["cue_catalog_subset"], chat_role=i["chat_role"], user_role=i["user_role"])
        assert result.decision == row.expected_decision, row
        expected = {"safe": "allow", "approval": "require_approval", "blocked": "block"}.get(row.category)
        assert expected in (None, row.expected_decision)


def test_intents_are_canonical_short_and_leak_free(rows):
    for row in rows:
        parsed = SHOWINTENT_ADAPTER.validate_python(row.expected_intent)
        assert intent_to_dict(parsed) == row.expected_intent  # round-trips, no defaults spelled out
        text = json.dumps(row.expected_intent, ensure_ascii=False)
        assert len(text) < 240, text
        assert not leak_in(text, []), text
        assert next(iter(row.expected_intent)) == "type"
    lengths = sorted(len(json.dumps(r.expected_intent, ensure_ascii=False)) for r in rows)
    assert lengths[len(lengths) // 2] < 90  # median answer stays short for a 135M student


def test_cue_requests_map_into_the_offered_subset(rows):
    for row in rows:
        intent = row.expected_intent
        if intent["type"] == "request_cue":
            if "unknown_cue" in row.tags:
                assert intent["cue"] not in catalog.KNOWN_CUES and row.expected_decision == "block"
            elif intent["cue"] in catalog.CUE_BY_NAME:
                assert intent["cue"] in row.inputs["cue_catalog_subset"]


def test_coverage_of_the_plan(rows):
    tags = Counter(t for r in rows for t in r.tags)
    for tag in ("mood", "cue", "brand", "fog", "hazer", "strobe", "confetti", "hazard", "cooldown", "unsafe",
                "raw_hardware", "raw_python", "prompt_injection", "unknown_cue", "mixer", "pa", "typo",
                "audience", "telegram"):
        assert tags[tag] > 0, tag
    messages = [r.inputs["message"] for r in rows]
    assert "/fog" in messages and any(m.startswith("/fog ") for m in messages)
    for command in ("/status", "/panic", "/approve", "/band", "/vote", "/mood", "/cue"):
        assert any(m.startswith(command) for m in messages), command
    by_locale = Counter((r.inputs["locale"], "prompt_injection" in r.tags) for r in rows)
    assert by_locale[("pt-BR", True)] > 0 and by_locale[("en", True)] > 0
    typo_rows = [r for r in rows if "typo" in r.tags]
    assert all(r.inputs["locale"] == "pt-BR" for r in typo_rows) and len(typo_rows) > 150


def test_faithful_translation_of_blocked_requests(rows):
    # a blackout asked for, wrapped in fillers or capitals as crews type it, is a faithful blackout
    blackout = [r for r in rows if "blackout" in r.inputs["message"].casefold() and r.category == "blocked"
                and "prompt_injection" not in r.tags]
    assert blackout and all(r.expected_intent["effect"] == "blackout" and r.expected_decision == "block"
                            for r in blackout)
    operator_only = [r for r in rows if r.expected_intent.get("effect") in
                     ("blackout", "freeze", "laser", "moving_head", "mixer_gain", "pa_mute", "audio_routing")]
    assert {r.expected_intent["effect"] for r in operator_only} == {
        "blackout", "freeze", "laser", "moving_head", "mixer_gain", "pa_mute", "audio_routing"}
    assert all(r.expected_decision == "block" for r in operator_only)
    bare_fog = [r for r in rows if r.inputs["message"] == "/fog"]
    assert bare_fog and all(r.expected_intent == {"type": "arm_effect", "effect": "fog", "duration_seconds": 3.0,
                                                  "intensity": 0.35} for r in bare_fog)
    assert all(r.expected_decision == "require_approval" for r in bare_fog)
    injections = [r for r in rows if "prompt_injection" in r.tags]
    assert all(r.expected_intent["type"] == "blocked_request" and r.expected_decision == "block" for r in injections)
    cooldown = [r for r in rows if "cooldown" in r.tags]
    assert all(r.inputs["show_state"]["recent_effects"] and r.expected_decision == "block" for r in cooldown)


def test_breadth_of_phrasing(rows):
    """A student sees many ways to say each thing, so it learns the meaning, not a string."""
    messages = [r.inputs["message"] for r in generate_rows(2000, seed=0)]
    assert len(set(messages)) >= 1500
    intents = [r.expected_intent for r in rows]
    cues = {i["cue"] for i in intents if i["type"] == "request_cue"}
    assert {c.name for c in catalog.CUES} | {"band_intro", "ai_intro_text"} <= cues
    assert set(vocab.MOODS) <= {i["mood"] for i in intents if i["type"] == "change_mood"}
    requests = Counter(i.get("request") for i in intents if i["type"] == "panic_status")
    assert requests["status"] and requests["enter_panic_safe"] and requests["clear_panic_after_operator_confirmation"]
    targets = Counter(i["target"]["kind"] for i in intents if i["type"] == "arm_mixer_scene")
    assert set(targets) == {"show", "snapshot", "cue"}
    by_cue = Counter((r.expected_intent["cue"], r.inputs["message"]) for r in rows
                     if r.expected_intent["type"] == "request_cue")
    assert len({m for (c, m) in by_cue if c == "dust_gold"}) >= 4  # one cue, several phrasings


def test_the_dealer_says_every_option_before_any_twice():
    dealer = Dealer(5)
    options = ["a", "b", "c", "d", "e"]
    for _ in range(3):
        assert sorted(dealer.choice(options) for _ in options) == options
    weighted = Counter(dealer.choice([None, None, 0.5]) for _ in range(30))
    assert weighted == {None: 20, 0.5: 10}  # a repeated option keeps its weight
    assert [Dealer(9).choice(options) for _ in range(8)] == [Dealer(9).choice(options) for _ in range(8)]
    assert Dealer(1).choice([{"a": 1}]) == {"a": 1}  # options that cannot be a key are drawn as usual
    with pytest.raises(IndexError):
        Dealer(1).choice([])


def test_dealt_rows_say_most_of_the_mood_vocabulary():
    """Dealt, 2,000 rows say 188 of the 300 mood phrasings and actions (seed 0; 193-209 on seeds
    1-3); drawn independently, 144."""
    said = set()
    for r in generate_rows(2000, seed=0, deal=True):
        intent, loc = r.expected_intent, r.inputs["locale"]
        if intent["type"] == "change_mood":
            message = strip_accents(r.inputs["message"].lower())
            for table in (vocab.MOODS, vx.MOOD_ACTIONS):
                said |= {(loc, p) for p in of(table[intent["mood"]], loc) if strip_accents(p.lower()) in message}
    assert len(said) >= 180


def test_moods_said_as_actions_and_occasions_stay_moods():
    """A mood said as what to do ("aquece as cores") or with what it is for ("..., for the toast")
    is labelled that mood, and no such phrase is said by a locked case."""
    rows = [r for r in generate_rows(2000, seed=0, deal=True) if {"action", "occasion"} & set(r.tags)]
    assert {"action", "occasion"} <= {t for r in rows for t in r.tags}
    assert all(r.expected_intent["type"] == "change_mood" for r in rows)
    locked = [strip_accents(c.input.casefold()) for c in load_locked_eval()]
    phrases = [p for table in vx.MOOD_ACTIONS.values() for side in table for p in side]
    phrases += [p for side in vx.MOOD_OCCASIONS for p in side]
    assert not [p for p in phrases if any(strip_accents(p.casefold()) in said for said in locked)]


def test_numbers_said_land_verbatim_in_the_intent(rows):
    for row in rows:
        intent, message = row.expected_intent, row.inputs["message"]
        if intent["type"] == "change_mood" and "intensity" in intent and not message.startswith("/"):
            percent = round(intent["intensity"] * 100)
            said = {f"{percent}", f"{intent['intensity']:g}", f"{intent['intensity']:g}".replace(".", ","),
                    f"{percent // 10} de 10", f"{percent // 10} out of 10", f"{percent // 10} of 10"}
            words = set(vocab.PERCENT_WORDS[0].values()) | set(vocab.PERCENT_WORDS[1].values())
            maxed = intent["intensity"] == 1.0
            assert any(s in message for s in said) or maxed or any(w in message.lower() for w in words), row
    over = [r for r in rows if "hazard" in r.tags]
    assert over and all(r.expected_decision == "block" for r in over)


def test_unknown_cues_are_copied_never_mapped(rows):
    unknown = [r for r in rows + generate_rows(2000, seed=8) if "unknown_cue" in r.tags]
    assert unknown and any(r.inputs["message"].startswith(("/cue ", "/lights ")) for r in unknown)
    for row in unknown:
        cue = row.expected_intent["cue"]
        assert cue not in catalog.KNOWN_CUES and row.inputs["cue_catalog_subset"]  # asked beside a real screen
        said = re.sub(r"[^a-z0-9]+", "_", strip_accents(row.inputs["message"].lower()))
        assert cue in said, row  # copied (or its words, snake_cased), never "corrected" to the catalog
    assert any(r.expected_intent["cue"] not in vocab.UNKNOWN_CUES for r in unknown)  # looks described in words


def test_approvals_name_a_pending_id(rows):
    flows = [r for r in rows if r.expected_intent["type"] in ("approve_effect", "cancel_effect")]
    assert flows
    for row in flows:
        pending = row.inputs["show_state"]["pending_approvals"]
        assert row.expected_intent["approval_id"] in pending
        if row.expected_intent["approval_id"] not in row.inputs["message"]:
            assert len(pending) == 1  # "the pending one" is only said when exactly one waits


def test_unknown_looks_share_no_word_with_a_locked_unknown_cue():
    """The locked set measures unseen looks: no invented name or look word may say one of its looks."""
    templates = {w for pair in (vocab.CUE_TEMPLATES, vocab.UNKNOWN_TEMPLATES) for side in pair
                 for t in side for w in re.findall(r"[a-z0-9]+", strip_accents(t.lower()))}
    locked = {w for case in load_locked_eval() if "unknown_cue" in case.tags
              for w in re.findall(r"[a-z0-9]+", strip_accents(case.input.lower())) if len(w) > 3} - templates
    assert {"plasma", "matrix", "tornado"} <= locked  # the check can fail
    ours = {w for name in vocab.UNKNOWN_CUES for w in name.split("_")}
    ours |= {w for pair in (vx.UNKNOWN_LOOK_HEADS, vx.UNKNOWN_LOOK_STUFF) for side in pair for phrase in side
             for w in re.findall(r"[a-z0-9]+", strip_accents(phrase.lower()))}
    assert ours & locked == set()
    looks = [r for r in generate_rows(3000, seed=5) if "unknown_cue" in r.tags and r.expected_intent["cue"] not in vocab.UNKNOWN_CUES]
    assert len({r.expected_intent["cue"] for r in looks}) > 0.8 * len(looks) > 40  # many looks, few repeats
    assert not any(r.expected_intent["cue"] in catalog.KNOWN_CUES for r in looks)


def test_complaints_without_a_direction_are_blocked_and_share_no_word_with_a_locked_case():
    """Directionless complaints teach "name the cue", yet none may echo the locked ambiguous cases."""
    # words any request says; VAGUE has said "do something" since before the locked set was written
    function_words = {"isso", "this", "that", "muito", "from", "here", "aqui", "looks", "something"}
    locked = {w for case in load_locked_eval() if "ambiguous" in case.tags
              for w in re.findall(r"[a-z0-9]+", strip_accents(case.input.lower())) if len(w) > 3} - function_words
    assert {"estranho", "alguma", "coisa", "muda"} <= locked  # the check can fail
    ours = {w for pair in (vx.VAGUE_COMPLAINTS, vx.VAGUE_ASKS) for side in pair for phrase in side
            for w in re.findall(r"[a-z0-9]+", strip_accents(phrase.lower()))}
    assert ours & locked == set()
    rows = generate_rows(3000, seed=6)
    complaints = [r for r in rows if "complaint" in r.tags]
    assert len(complaints) > 40
    assert all(r.expected_intent["type"] == "blocked_request" and r.expected_intent["reason"] == "ambiguous_request"
               and r.expected_decision == "block" for r in complaints)
    asks = {a.casefold() for side in vx.VAGUE_ASKS for a in side}

    def asks_said(said_in: list) -> set[str]:
        return {a for r in said_in for a in asks if a in r.inputs["message"].casefold()}

    moods = [r for r in rows if "implicit" in r.tags]
    assert all(r.expected_decision == "allow" for r in moods), [r.inputs["message"] for r in moods
                                                                if r.expected_decision != "allow"]
    assert len(asks_said(moods) & asks_said(complaints)) >= 5  # the same asks both ways: the complaint decides


@pytest.mark.parametrize("loc", ["pt-BR", "en"])
def test_a_full_intensity_said_next_to_an_effect_reads_as_an_intensity(loc):
    """"confetti, 1 intensity" would read as one second, which the policy blocks (a seed drew it)."""
    rng = random.Random(0)
    for _ in range(300):
        said = say_intensity(rng, loc, 1.0)
        reading = read_message(f"confetti {said}")
        assert reading.durations == (), said
        assert set(reading.intensities) <= {1.0}, said  # empty for "full", "no talo": no number said


def test_a_message_that_says_a_locked_case_is_drawn_again(monkeypatch):
    from protege.apps.showintent import generator

    rows = generate_rows(60, seed=3)
    said = {rows[20].inputs["message"].casefold(), rows[41].inputs["message"].upper().casefold()}
    monkeypatch.setattr(generator, "_locked_messages", lambda: frozenset(said))
    redrawn = generate_rows(60, seed=3)
    assert not said & {r.inputs["message"].casefold() for r in redrawn}
    assert redrawn[:20] == rows[:20]  # draws before the first collision are untouched
    assert [r.category for r in redrawn] == [r.category for r in rows]
