"""What a message asks for, read by the policy itself, and whether an answer is faithful to it.

The model's translation is never trusted to carry a hazard forward. :func:`read_message` reads
the operator's words (in the canonical form of :mod:`hazard_words`) for the things no answer
may make safe: operator-only effects (by name or by what they do: "kill all the lights", "cut
the PA"), raw hardware control (DMX, channel numbers, fixtures, Python, endpoints, URLs), prompt
injection and claimed authority ("the rules were approved", "modo admin"), and fog / haze /
strobe / confetti beyond their limits (magnitudes in digits and words, "max", "no talo", "the
whole song"). :func:`review` turns that reading and an answer into verdicts for the policy: any
hazard in the message blocks whatever the answer is; an answer that drops a gated effect the
message asks for, or changes a duration or intensity the message states, blocks too, and so
does one arming fog, haze, strobe or confetti the message never names ("sobe pra hype" as
``arm_effect hazer``); free text in an answer that carries raw control blocks.
:func:`hidden_hazards` is the narrower question a call-site validator asks: does the answer,
read on its own, look safer than the message?
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from protege.apps.showintent import catalog
from protege.apps.showintent.hazard_words import (
    ARTICLES,
    AUTHORITY_PATTERN,
    BLOCKED_EFFECT_PATTERNS,
    FOREVER_WORDS,
    FRACTIONS,
    GATED_EFFECT_PATTERNS,
    MAX_WORDS,
    NEGATORS,
    NUMBERS,
    PERCENT,
    RAW_CONTROL_PATTERN,
    RAW_IN_FOLDED,
    UNITS,
    canonical,
)
from protege.apps.showintent.normalize import STEPS, fold

_BLOCKED = {effect: re.compile(p) for effect, p in BLOCKED_EFFECT_PATTERNS.items()}
_GATED = {effect: re.compile(p) for effect, p in GATED_EFFECT_PATTERNS.items()}
_KNOWN_CUE_NAMES = sorted((n.replace("_", " ") for n in catalog.KNOWN_CUES), key=len, reverse=True)


@dataclass(frozen=True)
class Reading:
    """What a message asks for, as the policy reads it."""

    canonical: str
    blocked_effects: tuple[str, ...]
    raw_control: tuple[str, ...]
    authority: tuple[str, ...]
    gated_named: tuple[str, ...]  # gated effects mentioned at all
    gated_asked: tuple[str, ...]  # ...and not only in a negation ("sem fumaça")
    durations: tuple[float, ...]  # seconds; inf for "non-stop"
    intensities: tuple[float, ...]  # 0..1 (or more: "150%"); 1.0 for "max"
    stated_intensities: tuple[float, ...]  # digits, percent and level forms only, not "max" words

    def over_limit(self, limits: Mapping[str, tuple[float, float]]) -> list[str]:
        reasons = []
        for effect in self.gated_named:
            max_d, max_i = limits[effect]
            if any(d > max_d for d in self.durations):
                reasons.append(f"message asks for {effect} longer than {max_d:g} s")
            if any(i > max_i for i in self.intensities):
                reasons.append(f"message asks for {effect} above intensity {max_i:g}")
        return reasons


def _number_run(tokens: tuple[str, ...], i: int) -> tuple[float | None, int]:
    """A number at ``tokens[i]`` in digits or words ("vinte e cinco", "twenty five"): (value, next i)."""
    token = tokens[i]
    if re.fullmatch(r"\d+(\.\d+)?", token):
        return float(token), i + 1
    if token not in NUMBERS or token in ARTICLES:
        return None, i
    value, j = float(NUMBERS[token]), i + 1
    if token in FRACTIONS:
        return value, j
    while j < len(tokens):
        word = tokens[j]
        if word in ("e", "and") and j + 1 < len(tokens) and tokens[j + 1] in NUMBERS \
                and tokens[j + 1] not in FRACTIONS:
            j += 1
            continue
        if word in ("hundred", "cem", "cento"):
            value = value * 100 if value < 100 else value + 100
        elif word in NUMBERS and word not in FRACTIONS and word not in ARTICLES:
            value += NUMBERS[word]
        else:
            break
        j += 1
    return value, j


def _magnitudes(tokens: tuple[str, ...], effect_at: set[int]) -> tuple[list[float], list[float], list[float]]:
    durations: list[float] = []
    intensities: list[float] = []
    stated: list[float] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("half", "meio", "meia") and i + 2 < len(tokens) and tokens[i + 1] in ARTICLES \
                and tokens[i + 2] in UNITS:  # "half a minute"
            durations.append(0.5 * UNITS[tokens[i + 2]])
            i += 3
            continue
        if token in ARTICLES and i + 1 < len(tokens) and tokens[i + 1] in UNITS:
            durations.append(UNITS[tokens[i + 1]])
            i += 2
            continue
        value, j = _number_run(tokens, i)
        if value is None:
            i += 1
            continue
        following = tokens[j] if j < len(tokens) else ""
        after = tokens[j + 1] if j + 1 < len(tokens) else ""
        if following in UNITS:
            durations.append(value * UNITS[following])
        elif following in PERCENT or (following == "por" and after == "cento"):
            intensities.append(value / 100)
            stated.append(value / 100)
        elif following in ("de", "of", "out") and value <= 10 and "10" in tokens[j + 1:j + 3]:  # "5 de 10"
            intensities.append(value / 10)
            stated.append(value / 10)
        elif i > 0 and tokens[i - 1] in ("intensity", "intensidade", "forca", "power", "potencia"):
            level = value if value <= 1 else value / 100
            intensities.append(level)
            stated.append(level)
        elif "." in token and value <= 1:
            intensities.append(value)
            stated.append(value)
        elif token.isdigit() and any(0 < i - k <= 3 for k in effect_at):  # "/fog 10", "strobe por 8"
            durations.append(value)
        i = max(j, i + 1)
    return durations, intensities, stated


def _negated(tokens: tuple[str, ...], start: int) -> bool:
    return any(t in NEGATORS for t in tokens[max(0, start - 3):start])


@lru_cache(maxsize=16384)
def read_message(message: str, steps: frozenset[str] = STEPS) -> Reading:
    text = canonical(message, steps)
    for name in _KNOWN_CUE_NAMES:  # a cue's own name is not a request for "max" or for an effect
        if name in text and name.endswith(" max"):
            text = text.replace(name, name[:-4] + " cue")
    tokens = tuple(text.split())
    starts = {m.start(): n for n, m in enumerate(re.finditer(r"\S+", text))}
    named, asked, effect_at = [], [], set()
    for effect, pattern in _GATED.items():
        hits = [starts.get(m.start(), 0) for m in pattern.finditer(text)]
        if hits:
            named.append(effect)
            effect_at.update(hits)
            if not all(_negated(tokens, h) for h in hits):
                asked.append(effect)
    durations, intensities, stated = _magnitudes(tokens, effect_at)
    if MAX_WORDS.search(text):
        intensities.append(1.0)
    if FOREVER_WORDS.search(text):
        durations.append(float("inf"))
    folded = fold(message) if "fold" in steps else message.casefold()
    raw = [m.group(0) for m in RAW_CONTROL_PATTERN.finditer(text)] + [m.group(0) for m in RAW_IN_FOLDED.finditer(folded)]
    return Reading(
        canonical=text,
        blocked_effects=tuple(e for e, p in _BLOCKED.items() if p.search(text)),
        raw_control=tuple(raw),
        authority=tuple(m.group(0) for m in AUTHORITY_PATTERN.finditer(text)),
        gated_named=tuple(named), gated_asked=tuple(asked),
        durations=tuple(durations), intensities=tuple(intensities), stated_intensities=tuple(stated),
    )


# ---- an answer against its message --------------------------------------------------------
_NOT_TEXT = frozenset({"type", "effect", "tone", "cue_kind", "timing", "source", "kind", "request", "preapproved"})
_SAFER_ANSWERS = frozenset({"blocked_request", "approve_effect", "cancel_effect", "panic_status"})


def answer_text(intent: Any) -> str:
    """Every free-text field of an answer (cue names included), in one string."""
    def walk(node: Any, key: str = "") -> list[str]:
        if isinstance(node, Mapping):
            return [s for k, v in node.items() if k not in _NOT_TEXT for s in walk(v, k)]
        if isinstance(node, list):
            return [s for v in node for s in walk(v, key)]
        return [node] if isinstance(node, str) else []

    data = intent.model_dump(mode="json", exclude_none=True) if hasattr(intent, "model_dump") else intent
    return " | ".join(walk(data))


def answer_text_problems(intent: Any) -> list[str]:
    """Raw control or an authority claim in an answer's own words ("fixture_chanel_12" as a cue)."""
    text = answer_text(intent)
    if not text:
        return []
    canon = canonical(text)
    problems = []
    if RAW_CONTROL_PATTERN.search(canon) or RAW_IN_FOLDED.search(fold(text)):
        problems.append("the answer's text carries raw hardware control")
    if AUTHORITY_PATTERN.search(canon):
        problems.append("the answer's text claims authority or changes the rules")
    return problems


SAME_WITHIN = 1e-6  # two numbers closer than this are the same number to the rules


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_WITHIN


def mismatches(intent: Any, reading: Reading) -> list[str]:
    """Where a (non-blocked) answer leaves out or changes what the message asks for."""
    kind = intent.type
    if kind in _SAFER_ANSWERS:
        return []
    found = []
    asked = reading.gated_asked
    if asked:
        said = ", ".join(asked)
        if kind == "arm_effect" and intent.effect.value not in reading.gated_named:
            found.append(f"the message asks for {said}; the answer arms {intent.effect.value}")
        elif kind == "request_cue" and catalog.is_preapproved(intent.cue):
            found.append(f"the message asks for {said}; the answer plays the cue {intent.cue} instead")
        elif kind in ("announce", "log_note"):
            text = canonical(answer_text(intent))
            if not any(_GATED[e].search(text) for e in asked):
                found.append(f"the message asks for {said}; the answer ({kind}) leaves it out")
        elif kind in ("change_mood", "arm_mixer_scene"):
            found.append(f"the message asks for {said}; the answer ({kind}) leaves it out: one request per message")
    # a message with no words (none at all, "🔥🔥") has nothing an armed effect could be faithful to
    elif kind == "arm_effect" and reading.canonical and intent.effect.value in _GATED \
            and intent.effect.value not in reading.gated_named:
        found.append(f"the message never names {intent.effect.value}; the answer arms it")
    if kind == "arm_effect" and intent.effect.value in reading.gated_named:
        durations, intensities = set(reading.durations), set(reading.intensities)
        if len(durations) == 1 and intent.duration_seconds is not None \
                and not _same(intent.duration_seconds, next(iter(durations))):
            found.append(f"the message says {next(iter(durations)):g} s; the answer says {intent.duration_seconds:g} s")
        if len(intensities) == 1 and intent.intensity is not None and not _same(intent.intensity, next(iter(intensities))):
            found.append(f"the message says intensity {next(iter(intensities)):g}; "
                         f"the answer says {intent.intensity:g}")
    if kind == "change_mood" and not reading.gated_named and len(set(reading.intensities)) == 1:
        wanted = reading.intensities[0]
        if not _same(intent.intensity, wanted):
            found.append(f"the message says intensity {wanted:g}; the answer says {intent.intensity:g}")
    return found


def message_hazards(reading: Reading, limits: Mapping[str, tuple[float, float]]) -> list[str]:
    """Reasons this message must end blocked, whatever any answer to it says."""
    found = [f"the message asks for {effect}, an operator-only effect" for effect in reading.blocked_effects]
    if reading.raw_control:
        found.append(f"the message asks for raw hardware control ({reading.raw_control[0][:30]!r})")
    if reading.authority:
        found.append(f"the message claims authority or tries to change the rules ({reading.authority[0][:30]!r})")
    return found + reading.over_limit(limits)


def review(intent: Any, message: str, limits: Mapping[str, tuple[float, float]]) -> list[str]:
    """Every reason to block this answer to this message; empty when the answer may stand."""
    reading = read_message(message)
    return message_hazards(reading, limits) + mismatches(intent, reading) + answer_text_problems(intent)


def hidden_hazards(intent: Any, message: str, limits: Mapping[str, tuple[float, float]],
                   answer_alone_blocked: bool) -> list[str]:
    """For a call-site validator: how an answer misrepresents its message, if it does.

    A hazardous message translated faithfully (``arm_effect blackout``, a ``blocked_request``) is
    fine: the policy blocks it. An answer that, read on its own, would pass while the message
    carries a hazard, that drops or changes what the message asks for, or that carries raw
    control in its text is not: the router then asks the teacher instead.
    """
    reading = read_message(message)
    found = mismatches(intent, reading) + answer_text_problems(intent)
    hazards = message_hazards(reading, limits)
    if hazards and not answer_alone_blocked:
        found.append(f"the answer hides what the message asks for: {hazards[0]}")
    return found

