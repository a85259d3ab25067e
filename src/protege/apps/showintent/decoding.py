"""What the student may decode for one operator message: the site's ``decode_for``.

Each narrowing only takes away answers the rules would refuse, or would block anyway as
mistranslations, so every answer is still validated and judged as before, and a request for an
unknown cue still comes out unknown:

- a message that tries to change the rules (an injection, an authority claim) may only be
  answered with a ``blocked_request`` naming neither raw control nor an effect: the policy blocks
  such a message whatever the answer says;
- a message that names an operator-only effect ("escuro total", "mute the PA") or raw control
  may only be answered with that effect armed or a ``blocked_request`` (raw control: only the
  latter). The policy blocks such a message whatever the answer says, and ``faithful_to_message``
  refuses every answer that would pass on its own ("deixa o salão no breu" as a calm mood);
- a message that asks for a gated effect ("solta fumaça", "/strobe") may not be answered with a
  mood, a mixer scene, another effect or a preapproved cue, each of which ``faithful_to_message``
  refuses as leaving the effect out; an unknown cue or one that needs approval stays possible;
- a gated effect the message never names cannot be armed ("sobe pra hype" as ``arm_effect
  hazer``), which ``faithful_to_message`` refuses too;
- a duration or intensity the message states is the only one the answer may state, where
  ``safety.mismatches`` (the ``faithful_to_message`` validator and the policy) would refuse any
  other: "confetti for 60 seconds" can no longer come out as 3 seconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from protege.apps.showintent import catalog, safety
from protege.apps.showintent.policy import tries_to_change_rules
from protege.apps.showintent.schema import ChangeMood, refusal_decoding

_REFUSAL = refusal_decoding()
_MOOD_DEFAULT = ChangeMood.model_fields["intensity"].default


def _only(value: float, high: float = math.inf) -> dict[str, Any]:
    """The numbers that start with ``value``'s digits, at most ``high``: 60 -> "60", "60.0" (and
    "60.05"); 0.35 -> "0.35" (and "0.355").

    Not a one-number range or an enum: llguidance writes those as "60" alone, refusing the "60.0" a
    student learns from JSON labels, and it misreads a window narrower than the last digit
    (``[0.1, 0.11)`` refuses "0.1"), so the window is one unit of that digit. The extra digits a
    window lets through are refused by the validator (``safety.mismatches``), like any other.

    At the schema's own bound (intensity 1) the window opens downwards, by less than the
    validator's tolerance: ``[0.9999999, 1]`` takes "1", "1.0" and "1.00" and no number the
    validator would call different (a window of ``[0.99, 1]`` let a student write 0.99)."""
    digits = len(repr(value).partition(".")[2]) or 1
    top = round(value + 10.0 ** -digits, digits)
    if top > high:
        return {"type": "number", "minimum": round(value - safety.SAME_WITHIN / 10, 7), "maximum": high}
    return {"type": "number", "minimum": value, "exclusiveMaximum": top}


def _with(schema: dict, name: str, field: str, value: float, *, required: bool = False) -> dict:
    """``schema`` with ``$defs[name].properties[field]`` fixed to ``value``; a shallow copy."""
    defs = dict(schema["$defs"])
    node = dict(defs[name])
    high = node["properties"][field].get("maximum", math.inf)
    node["properties"] = {**node["properties"], field: _only(value, high)}
    if required:
        node["required"] = [*node.get("required", []), field]
    defs[name] = node
    return {**schema, "$defs": defs}


def stated_numbers(schema: dict, reading: safety.Reading) -> dict:
    """``schema`` where the answer can only repeat the one duration / intensity the message states.

    The conditions of ``safety.mismatches``: in a message naming a gated effect, an armed effect
    can only carry the one duration and intensity the message states (the validator checks them
    on the named effect; an answer arming another effect is a mistranslation either way); in a
    message naming none, a mood change keeps its one stated intensity and must write it unless it
    is the default. Several different numbers, a "non-stop" duration or an intensity outside 0..1
    narrow nothing: the rules judge those.
    """
    def single(values: tuple[float, ...], low: float, high: float) -> float | None:
        distinct = set(values)
        value = next(iter(distinct)) if len(distinct) == 1 else None
        return value if value is not None and math.isfinite(value) and low <= value <= high else None

    if reading.gated_named:
        duration = single(reading.durations, 1e-9, math.inf)
        if duration is not None:
            schema = _with(schema, "ArmEffect", "duration_seconds", duration)
        intensity = single(reading.intensities, 0.0, 1.0)
        if intensity is not None:
            schema = _with(schema, "ArmEffect", "intensity", intensity)
        return schema
    intensity = single(reading.intensities, 0.0, 1.0)
    if intensity is not None:
        schema = _with(schema, "ChangeMood", "intensity", intensity,
                       required=not math.isclose(intensity, _MOOD_DEFAULT))
    return schema


def _answers(schema: dict, kept: set[str]) -> dict:
    """``schema`` with only the answers (``$defs`` names) in ``kept``: ``oneOf`` and the
    discriminator's mapping both."""
    refs = {f"#/$defs/{name}" for name in kept}
    narrowed = {**schema, "oneOf": [alt for alt in schema["oneOf"] if alt.get("$ref") in refs]}
    if "discriminator" in schema:
        mapping = {k: v for k, v in schema["discriminator"]["mapping"].items() if v in refs}
        narrowed["discriminator"] = {**schema["discriminator"], "mapping": mapping}
    return narrowed


def _field(schema: dict, name: str, field: str, node: dict) -> dict:
    """``schema`` with ``$defs[name].properties[field]`` replaced by ``node``; a shallow copy."""
    defs = dict(schema["$defs"])
    defs[name] = {**defs[name], "properties": {**defs[name]["properties"], field: node}}
    return {**schema, "$defs": defs}


def _effects(schema: dict, effects: tuple[str, ...]) -> dict:
    """``schema`` where an armed effect is one of ``effects``."""
    return _field(schema, "ArmEffect", "effect", {"type": "string", "enum": sorted(set(effects))})


def named_hazards(schema: dict, reading: safety.Reading) -> dict:
    """``schema`` where a message naming an operator-only effect can only be answered by arming
    one it names or by a ``blocked_request``, and one asking for raw control only by the latter.

    Every answer this takes away is one the rules refuse or a mistranslation they block anyway:
    with such a hazard in the message (``safety.message_hazards``), ``faithful_to_message`` refuses
    any answer that would pass on its own (a mood, a preapproved cue, an approval), and what is
    left is a blocked answer that says something else (another refused effect, an unknown cue).
    "Point the motorized fixtures" names both a moving head and a fixture: arming the moving head
    stays possible.
    """
    if reading.raw_control and not reading.blocked_effects:
        return _answers(schema, {"BlockedRequest"})
    if not reading.blocked_effects:
        return schema
    return _effects(_answers(schema, {"ArmEffect", "BlockedRequest"}), reading.blocked_effects)


def none_of(names: Iterable[str]) -> str:
    """A regex (no lookaround) for every string but ``names``: a trie's complement."""
    trie: dict = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[None] = {}

    def rest(node: dict) -> str:
        chars = sorted(k for k in node if k is not None)
        branches = [re.escape(c) + rest(node[c]) for c in chars]
        branches.append(f"[^{''.join(re.escape(c) for c in chars)}][\\s\\S]*" if chars else "[\\s\\S]+")
        return f"(?:{'|'.join(branches)})" + ("" if None in node else "?")  # a proper prefix is no name

    return f"^{rest(trie)}$"


_NOT_PREAPPROVED = {"type": "string", "pattern": none_of(sorted(c for c in catalog.KNOWN_CUES if catalog.is_preapproved(c)))}


def asked_effects(schema: dict, reading: safety.Reading) -> dict:
    """``schema`` where a message asking for a gated effect ("solta fumaça", "/strobe") cannot be
    answered with a mood or a mixer scene, by arming an effect it does not name, or by playing a
    preapproved cue; ``safety.mismatches`` refuses each of those (the student would leave out what
    the operator asked for). An unknown cue, a cue that needs approval, an announcement, an
    approval or a refusal stay possible; operator-only effects and raw control are
    :func:`named_hazards`' part.
    """
    if reading.blocked_effects or reading.raw_control or not reading.gated_asked:
        return schema
    kept = {alt["$ref"].rsplit("/", 1)[1] for alt in schema["oneOf"]} - {"ChangeMood", "ArmMixerScene"}
    narrowed = _effects(_answers(schema, kept), reading.gated_named)
    cue = narrowed["$defs"]["RequestCue"]["properties"]["cue"]
    return _field(narrowed, "RequestCue", "cue", {"allOf": [cue, _NOT_PREAPPROVED]})


def named_effects(schema: dict, reading: safety.Reading) -> dict:
    """``schema`` where fog, haze, strobe or confetti can only be armed if the message names it:
    ``safety.mismatches`` refuses arming one it never names ("sobe pra hype" as ``arm_effect
    hazer``). Operator-only effects stay possible: the policy blocks them whatever the message
    says, and there are more ways to say one than the reader knows ("joga o áudio pro lounge")."""
    if not reading.canonical:
        return schema  # no words to be faithful to ("🔥🔥"): the validator refuses nothing here
    node = schema["$defs"]["ArmEffect"]["properties"]["effect"]
    effects = node.get("enum") or schema["$defs"]["ShowEffect"]["enum"]
    kept = tuple(e for e in effects if e not in safety.GATED_EFFECT_PATTERNS or e in reading.gated_named)
    return schema if len(kept) == len(effects) else _effects(schema, kept)


def for_message(schema: dict, inputs: dict) -> dict:
    """The site's ``decode_for``: the refusal schema when the message tries to change the rules,
    else ``schema`` narrowed to the hazards the message names and its stated numbers fixed;
    ``schema`` when there is no message."""
    message = inputs.get("message") if isinstance(inputs, dict) else None
    if not isinstance(message, str):
        return schema
    if tries_to_change_rules(message):
        return _REFUSAL
    reading = safety.read_message(message)
    for narrow in (named_hazards, asked_effects, named_effects, stated_numbers):
        schema = narrow(schema, reading)
    return schema
