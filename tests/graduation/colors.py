"""A tiny call site for the end-to-end graduation test: a color word -> its color enum.

The teacher is a Python callable whose behaviour the test can change (to inject a regression:
the teacher starts disagreeing with the student)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

import protege
from protege.evaluate.gate import GateConfig
from protege.graduation import Graduation

COLORS = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"]
PHRASES = ["paint it {}", "I like {}", "{} please", "make the wall {}", "the {} one", "{} light", "{} now",
           "use {}", "switch to {}", "something {}"]
TEACHER = {"flip": False}


class Color(BaseModel):
    color: Literal["red", "green", "blue", "yellow", "purple", "orange", "black", "white"]


def teacher(text: str) -> Color:
    word = next(c for c in COLORS if c in text)
    if TEACHER["flip"]:  # the injected regression: the teacher no longer agrees with the student
        word = COLORS[(COLORS.index(word) + 1) % len(COLORS)]
    return Color(color=word)


@protege.validator(name="not_black")
def not_black(output: Color):
    return output.color != "black", "black is not allowed on stage"


GRADUATION = Graduation(
    gate=GateConfig(min_samples=8, threshold=0.6, regression_margin=0.2, monitor_min_samples=5, monitor_window=20),
    shadow_min_samples=8,
    spot_check_fraction=1.0,
    min_logprob=-1e9,  # confidence is exercised in its own test; here every valid answer is served
)


@protege.llm(teacher=teacher, validators=[not_black], graduation=GRADUATION)
def pick_color(text: str) -> Color:
    """Name the color the text asks for."""


def all_phrases() -> list[str]:
    return [p.format(c) for c in COLORS for p in PHRASES]
