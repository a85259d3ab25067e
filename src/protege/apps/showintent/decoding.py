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
- a duration or intensity the message states is the only one the answer may state, where
  ``safety.mismatches`` (the ``faithful_to_message`` validator and the policy) would refuse any
  other: "confetti for 60 seconds" can no longer come out as 3 seconds.
"""

from __future__ import annotations

import math
from typing import Any

from protege.apps.showintent import safety
from protege.apps.showintent.policy import tries_to_change_rules
from protege.apps.showintent.schema import ChangeMood, refusal_decoding

_REFUSAL = refusal_decoding()
_MOOD_DEFAULT = ChangeMood.model_fields["intensity"].default


def _only(value: float, high: float = math.inf) -> dict[str, Any]:
    """The numbers that start with ``value``'s digits, at most ``high``: 60 -> "60", "60.0" (and
    "60.05"); 0.35 -> "0.35" (and "0.355").

    Not a one-number range or an enum: llguidance writes those as "60" alone, refusing the "60.0" a
    student learns from JSON labels, and it misreads a window narrower than the last digit
    (``[0.1, 0.11)`` refuses "0.1"), so the window is one unit of that digit. At the schema's own
    bound (intensity 1) the window opens downwards instead: ``[0.99, 1]``. The extra digits a
    window lets through are refused by the validator (``safety.mismatches``), like any other."""
    digits = len(repr(value).partition(".")[2]) or 1
    top = round(value + 10.0 ** -digits, digits)
    if top > high:
        return {"type": "number", "minimum": round(value - 10.0 ** -(digits + 1), digits + 1), "maximum": high}
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
    if not reading.blocked_effects and not reading.raw_control:
        return schema
    kept = ["ArmEffect", "BlockedRequest"] if reading.blocked_effects else ["BlockedRequest"]
    defs = dict(schema["$defs"])
    if reading.blocked_effects:
        node = dict(defs["ArmEffect"])
        node["properties"] = {**node["properties"],
                              "effect": {"type": "string", "enum": sorted(set(reading.blocked_effects))}}
        defs["ArmEffect"] = node
    refs = {f"#/$defs/{name}" for name in kept}
    narrowed = {**schema, "$defs": defs, "oneOf": [alt for alt in schema["oneOf"] if alt.get("$ref") in refs]}
    if "discriminator" in schema:
        mapping = {k: v for k, v in schema["discriminator"]["mapping"].items() if v in refs}
        narrowed["discriminator"] = {**schema["discriminator"], "mapping": mapping}
    return narrowed


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
    return stated_numbers(named_hazards(schema, reading), reading)
