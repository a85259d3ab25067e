"""The ShowIntent site's second look (``second_look``): a catalog cue must hold on another screen.

A request for a cue means that cue whatever else the operator's screen offers. A look the catalog
does not have ("a waterfall of something"), taken by the student for the real cue of its theme,
is mostly taken for it on one screen only: beside other cues it is copied as the unknown look it
is and blocked (bench/screens.py, bench/bases.md sessions 25 and 29). So a student answer that
plays a catalog cue from the screen is asked again on another screen that keeps that cue and
offers other ones, drawn from the catalog but from no screen shown before, seeded by the message,
so the same request always meets the same screens. The cue is kept when the student plays it there;
when it does not, on a third screen; when it holds on neither, the answer becomes the refusal the
student learns for a request it cannot place, "name the cue or effect". One other screen refused
a right cue that a fragile paraphrase lost to a new neighbour ("slow drifting stars" -> the slow
tide); a look taken for a cue on one screen only is refused on both.

It can only take a cue away: it never names a cue, and every other answer passes untouched.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from protege.apps.showintent import catalog
from protege.apps.showintent.phrasing import EN, PT, of
from protege.apps.showintent.vocab_extra import BLOCKED_MESSAGES


def played_cue(intent: Any, screen: list[str]) -> str | None:
    """The catalog cue on ``screen`` that ``intent`` (JSON) plays, or None."""
    if not isinstance(intent, dict) or intent.get("type") != "request_cue":
        return None
    cue = intent.get("cue")
    return cue if cue in catalog.CUE_BY_NAME and cue in screen else None


def other_screen(message: str, cue: str, screen: list[str], shown: set[str] = frozenset()) -> list[str]:
    """A screen of as many cues as ``screen`` (4 to 8) that keeps ``cue`` and offers none of the
    cues of ``screen`` or ``shown`` (screens shown before)."""
    rng = random.Random(f"{cue}\n{message}\n{len(shown)}")
    rest = [name for name in sorted(catalog.CUE_BY_NAME) if name not in screen and name not in shown]
    return sorted([cue, *rng.sample(rest, min(len(rest), max(4, min(8, len(screen))) - 1))])


def refusal(locale: str) -> dict:
    loc = EN if str(locale).lower().startswith("en") else PT
    return {"type": "blocked_request", "reason": "ambiguous_request",
            "operator_message": of(BLOCKED_MESSAGES["ambiguous_request"], loc)}


OTHER_SCREENS = 2
"""Screens a played cue gets to hold on, one after the other; it is refused when it holds on none."""


def cue_on_another_screen(inputs: dict, intent: Any, ask: Callable[[dict], Any]) -> Any:
    """``intent`` when it plays no catalog cue, or plays one that the student plays again on one
    of ``OTHER_SCREENS`` other screens; else the refusal."""
    screen = list(inputs.get("cue_catalog_subset") or [])
    cue = played_cue(intent, screen)
    if cue is None:
        return intent
    message, shown = str(inputs.get("message", "")), set(screen)
    for _ in range(OTHER_SCREENS):
        other = other_screen(message, cue, screen, shown)
        if played_cue(ask({**inputs, "cue_catalog_subset": other}), other) == cue:
            return intent
        shown |= set(other)
    return refusal(inputs.get("locale", PT))
