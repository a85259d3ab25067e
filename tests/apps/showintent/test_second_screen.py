"""The ShowIntent site's second look: a catalog cue the student plays must hold on another screen
(or, failing that, on a third), else the answer becomes the refusal for a request it cannot place.
It only ever takes a cue away.
``ask`` here is the student's stand-in: it records each screen it is shown and answers as told."""

from __future__ import annotations

import random

from protege.apps.showintent import catalog
from protege.apps.showintent.callsite import parse_show_intent
from protege.apps.showintent.policy import decide
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER
from protege.apps.showintent.second_screen import (
    cue_on_another_screen,
    other_screen,
    refusal,
)

SCREEN = ["cinematic", "crowd_heat", "dust_gold", "neon_pulse", "supernova_bloom"]


def _inputs(message: str, screen=SCREEN, locale: str = "pt-BR") -> dict:
    return {"message": message, "cue_catalog_subset": list(screen), "locale": locale,
            "show_state": {"pending_approvals": []}, "user_role": "foh"}


class Student:
    """Answers every second screen with ``answer(screen)`` and keeps the screens it was shown."""

    def __init__(self, answer):
        self.answer, self.screens = answer, []

    def __call__(self, inputs: dict):
        self.screens.append(inputs["cue_catalog_subset"])
        return self.answer(inputs["cue_catalog_subset"])


def test_the_site_takes_this_second_look():
    assert parse_show_intent.site.second_look is cue_on_another_screen


def test_another_screen_keeps_the_cue_offers_none_of_the_first_screens_others_and_is_seeded():
    for cue in catalog.CUE_BY_NAME:
        rng = random.Random(cue)
        first = sorted({cue, *rng.sample(sorted(catalog.CUE_BY_NAME), rng.randint(3, 7))})
        second = other_screen("bota isso no telão", cue, first)
        assert cue in second and not (set(second) - {cue}) & set(first)
        assert 4 <= len(second) <= 8 and len(second) == max(4, min(8, len(first)))
        assert second == other_screen("bota isso no telão", cue, first)
        third = other_screen("bota isso no telão", cue, first, set(first) | set(second))
        assert cue in third and not (set(third) - {cue}) & (set(first) | set(second))
    assert other_screen("a", "dust_gold", SCREEN) != other_screen("b", "dust_gold", SCREEN)


def test_a_cue_that_holds_on_the_other_screen_is_kept_with_every_field():
    intent = {"type": "request_cue", "cue": "supernova_bloom", "timing": "next_drop"}
    student = Student(lambda screen: {"type": "request_cue", "cue": "supernova_bloom"})
    assert cue_on_another_screen(_inputs("solta a supernova no drop"), intent, student) == intent
    assert len(student.screens) == 1 and "supernova_bloom" in student.screens[0]


def test_a_cue_lost_on_the_second_screen_is_kept_when_it_holds_on_a_third():
    intent = {"type": "request_cue", "cue": "constellation_drift"}
    answers = iter([{"type": "request_cue", "cue": "slow_tide"}, intent])
    student = Student(lambda screen: next(answers))
    screen = ["breath_sync", "constellation_drift", "deep_sea_pause", "ember_field", "panic_safe"]
    assert cue_on_another_screen(_inputs("slow drifting stars", screen), intent, student) is intent
    second, third = student.screens
    assert set(second) & set(third) == set(second) & set(screen) == {"constellation_drift"}


def test_a_cue_that_holds_on_neither_other_screen_becomes_the_ambiguous_refusal():
    intent = {"type": "request_cue", "cue": "supernova_bloom"}
    for elsewhere in ({"type": "request_cue", "cue": "some_look_nobody_built"},
                      {"type": "change_mood", "mood": "hype"}, None):
        for locale in ("pt-BR", "en"):
            student = Student(lambda screen, e=elsewhere: e)
            kept = cue_on_another_screen(_inputs("play the galaxy thing", locale=locale), intent, student)
            assert kept == refusal(locale) and kept["reason"] == "ambiguous_request" and len(student.screens) == 2
            SHOWINTENT_ADAPTER.validate_python(kept)  # a valid ShowIntent, which the policy blocks
            assert decide(kept, message="play the galaxy thing", cue_catalog_subset=SCREEN).decision == "block"
    assert refusal("pt-BR")["operator_message"] != refusal("en")["operator_message"]


def test_every_other_answer_passes_untouched_and_unasked():
    """Moods, effects, refusals, an unknown cue and a catalog cue the screen does not offer: the
    second look never asks, so it can never turn any of them into a cue."""
    student = Student(lambda screen: {"type": "request_cue", "cue": "dust_gold"})
    for intent in ({"type": "change_mood", "mood": "calm"}, {"type": "arm_effect", "effect": "fog"},
                   refusal("en"), {"type": "request_cue", "cue": "waterfall_of_glass"},
                   {"type": "request_cue", "cue": "brand_hero"}, "not json", None):
        assert cue_on_another_screen(_inputs("anything"), intent, student) is intent
    assert cue_on_another_screen(_inputs("anything", screen=[]), {"type": "request_cue", "cue": "dust_gold"},
                                 student) == {"type": "request_cue", "cue": "dust_gold"}
    assert student.screens == []
