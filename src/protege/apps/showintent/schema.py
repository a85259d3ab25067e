"""ShowIntent v1: the JSON contract the live-show runtime already consumes.

The shapes here mirror the peer project's ShowIntentSchema field for field, so a student's answer
is accepted by that runtime unchanged. Unknown keys are an error (``extra="forbid"``) and every
string marked non-empty is trimmed first, so " fog " and "" never slip through as valid.

The JSON schema is kept grammar-friendly for llama.cpp's JSON-schema-to-grammar: only $defs/$ref,
oneOf/anyOf, enum, const, type and simple bounds; titles are dropped to keep it compact.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

SCHEMA_VERSION = "showintent.v1"
MIN_CONFIDENCE = 0.55  # the live service's default minimum envelope confidence

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Unit = Annotated[float, Field(ge=0, le=1)]
Seconds = Annotated[float, Field(gt=0)]


class ShowEffect(str, Enum):
    fog = "fog"
    hazer = "hazer"
    strobe = "strobe"
    confetti_sim = "confetti_sim"
    blackout = "blackout"
    freeze = "freeze"
    moving_head = "moving_head"
    laser = "laser"
    mixer_gain = "mixer_gain"
    pa_mute = "pa_mute"
    audio_routing = "audio_routing"


Timing = Literal["now", "next_drop", "next_phrase", "manual"]


class _Strict(BaseModel):
    """Unknown keys are errors. Optional fields are written ``x: T = None`` on purpose: omitted is
    fine, an explicit ``null`` is not (the peer runtime's zod ``.optional()`` rejects null)."""

    model_config = ConfigDict(extra="forbid")


class Announce(_Strict):
    type: Literal["announce"]
    text: NonEmpty
    tone: Literal["neutral", "premium", "hype", "calm"] = None
    voice: str = None


class ChangeMood(_Strict):
    type: Literal["change_mood"]
    mood: NonEmpty
    palette: Annotated[list[NonEmpty], Field(max_length=8)] = None
    intensity: Unit = 0.5
    duration_seconds: Seconds = None
    reason: str = None


class RequestCue(_Strict):
    type: Literal["request_cue"]
    cue: NonEmpty
    cue_kind: Literal["visual", "lighting", "combined", "safe_state"] = None
    intensity: Unit = None
    timing: Timing = None
    reason: str = None
    scene_id: str = None
    preapproved: bool = None


class ArmEffect(_Strict):
    type: Literal["arm_effect"]
    effect: ShowEffect
    duration_seconds: Seconds = None
    intensity: Unit = None
    timing: Timing = None
    reason: str = None


class AdapterTarget(_Strict):
    kind: Literal["soundcraft_ui24r"]
    mixer_id: NonEmpty


class ShowTarget(_Strict):
    kind: Literal["show"]
    scene_id: str = None
    show_name: str = None
    setlist_ref: str = None


class SnapshotTarget(ShowTarget):
    kind: Literal["snapshot"]  # type: ignore[assignment]
    snapshot_name: str = None


class CueTarget(ShowTarget):
    kind: Literal["cue"]  # type: ignore[assignment]
    cue_name: str = None


MixerTarget = Annotated[Union[ShowTarget, SnapshotTarget, CueTarget], Field(discriminator="kind")]


class MixerRequest(_Strict):
    source: Literal["voice", "chatgpt", "setlist", "td_audio_analysis", "operator", "scheduler"] = None
    raw_text: str = None
    reason: str = None
    requested_for: str = None


class ArmMixerScene(_Strict):
    type: Literal["arm_mixer_scene"]
    adapter_target: AdapterTarget
    target: MixerTarget
    request: MixerRequest = None


class ApproveEffect(_Strict):
    type: Literal["approve_effect"]
    approval_id: NonEmpty
    operator: NonEmpty


class CancelEffect(_Strict):
    type: Literal["cancel_effect"]
    approval_id: NonEmpty
    operator: str = None


class PanicStatus(_Strict):
    type: Literal["panic_status"]
    request: Literal["status", "enter_panic_safe", "clear_panic_after_operator_confirmation"] = None


class LogNote(_Strict):
    type: Literal["log_note"]
    note: NonEmpty
    tags: Annotated[list[NonEmpty], Field(max_length=16)] = []


class BlockedRequest(_Strict):
    type: Literal["blocked_request"]
    reason: NonEmpty
    operator_message: NonEmpty


ShowIntent = Annotated[
    Union[
        Announce, ChangeMood, RequestCue, ArmEffect, ArmMixerScene,
        ApproveEffect, CancelEffect, PanicStatus, LogNote, BlockedRequest,
    ],
    Field(discriminator="type"),
]
SHOWINTENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(ShowIntent)
INTENT_TYPES: tuple[str, ...] = (
    "announce", "change_mood", "request_cue", "arm_effect", "arm_mixer_scene",
    "approve_effect", "cancel_effect", "panic_status", "log_note", "blocked_request",
)


class ShowIntentEnvelope(_Strict):
    """What the live service passes around: the intent plus the translator's self-report."""

    intent: ShowIntent
    confidence: Unit
    source_summary: str = ""
    needs_operator_review: bool = False


def parse_intent(data: str | dict[str, Any]) -> Any:
    """Validate a JSON text or a dict as one ShowIntent; raises ``ValidationError`` / ``ValueError``."""
    if isinstance(data, str):
        return SHOWINTENT_ADAPTER.validate_json(data)
    return SHOWINTENT_ADAPTER.validate_python(data)


def envelope_from_text(text: str, *, source_summary: str = "") -> ShowIntentEnvelope:
    """Read model output as an envelope (or a bare intent); unparseable output becomes a block.

    This is the live service's rule: a translation we cannot read is a blocked_request with
    confidence 0, never a guess.
    """
    try:
        data = json.loads(text)
        if isinstance(data, dict) and "intent" in data:
            return ShowIntentEnvelope.model_validate(data)
        intent = parse_intent(data)
        return ShowIntentEnvelope(intent=intent, confidence=1.0, source_summary=source_summary)
    except (ValueError, ValidationError) as exc:
        blocked = BlockedRequest(
            type="blocked_request",
            reason="schema_invalid",
            operator_message=f"Model output was not a valid ShowIntent: {str(exc).splitlines()[0][:120]}",
        )
        return ShowIntentEnvelope(
            intent=blocked, confidence=0.0, source_summary=source_summary, needs_operator_review=True
        )


def intent_to_dict(intent: Any) -> dict[str, Any]:
    """Canonical JSON-able dict of an intent: unset optional fields omitted, enums as strings."""
    return intent.model_dump(mode="json", exclude_unset=True)


def _strip_titles(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _strip_titles(v)
            for k, v in node.items()
            if not (k == "title" and isinstance(v, str))
            and k != "discriminator"
            and not (k == "default" and v is None)
        }
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def showintent_json_schema() -> dict[str, Any]:
    """The ShowIntent JSON schema, compact and accepted by llama.cpp's grammar converter."""
    return _strip_titles(SHOWINTENT_ADAPTER.json_schema())


# Raw-hardware words a student must not be able to write in any free-text field or cue name,
# matched case-insensitively at the start of a run of ASCII letters: "DMX512", "fixture_channel_12",
# "channel12", "pythonScript" and "endpoints" all start a run with one. They are the policy's
# raw-control vocabulary (policy._RAW_CONTROL, safety.RAW_CONTROL_PATTERN, the leak metric) less
# the words that are also effect names or everyday words; the glued compounds are listed because
# the leak metric reads "rawdmx" and "touchdesignerpython" as raw control too.
RAW_HARDWARE_WORDS: tuple[str, ...] = (
    "dmx", "fixture", "channel", "chanel", "canal", "canais", "python", "endpoint", "textport",
    "websocket", "artnet", "sacn", "http", "curl", "sudo", "ssh", "dimmer",
    "rawdmx", "rawpython", "touchdesignerpython",
)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _letters_except(excluded: str) -> str:
    """A character class body for the ASCII letters not in ``excluded``, as ranges."""
    kept = [c for c in _LETTERS if c not in excluded]
    parts, i = [], 0
    while i < len(kept):
        j = i
        while j + 1 < len(kept) and ord(kept[j + 1]) == ord(kept[j]) + 1:
            j += 1
        parts.append(kept[i] if i == j else f"{kept[i]}-{kept[j]}")
        i = j + 1
    return "".join(parts)


def _run_without(node: dict[str, dict], *, empty_ok: bool) -> str:
    """Regex for the letter runs that, read from trie ``node`` on, never complete a banned word.

    A trie has no cycles, so the complement stays linear in its size; ``None`` keys mark the
    end of a banned word, whose letter is then simply not offered.
    """
    branches, seen = [], ""
    for letter in sorted(k for k in node if k is not None):
        seen += letter + letter.upper()
        child = node[letter]
        if None not in child:
            branches.append(f"[{letter}{letter.upper()}]{_run_without(child, empty_ok=True)}")
    branches.append(f"[{_letters_except(seen)}][A-Za-z]*")
    return f"(?:{'|'.join(branches)})" + ("?" if empty_ok else "")


def no_raw_hardware_pattern(words: tuple[str, ...] = RAW_HARDWARE_WORDS) -> str:
    """A regex (no lookaround: llguidance and Rust's regex have none) for the strings in which no
    run of ASCII letters starts with one of ``words``, case-insensitively.

    A string is read as separators (anything but an ASCII letter) and maximal letter runs; each
    run must avoid the banned prefixes, which is a finite-trie complement.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for letter in word.lower():
            node = node.setdefault(letter, {})
        node[None] = {}
    run = _run_without(trie, empty_ok=False)
    return f"^[^A-Za-z]*(?:{run}[^A-Za-z]+)*(?:{run})?$"


NO_RAW_HARDWARE_PATTERN = no_raw_hardware_pattern()

# Effect words (English and the ASCII stems of the Portuguese ones) a refusal need not repeat.
EFFECT_WORDS: tuple[str, ...] = (
    "fog", "haze", "strobe", "estrob", "confetti", "blackout", "apag", "freeze", "congel", "moving",
    "laser", "mixer", "mute", "routing", "fumac",
)


def no_raw_hardware_decoding(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of an output schema whose free-text strings (every ``string`` without an enum,
    const, pattern or format: cue names, reasons, texts, notes, tags, ids) carry
    :data:`NO_RAW_HARDWARE_PATTERN`.

    For decoding only: every document it accepts is valid for ``schema``, so the student simply
    cannot spell raw control, and validation (``no_raw_hardware``, the policy) stays as it was.
    The fields that are enums (``effect: "mixer_gain"``) are untouched: naming a refused effect is
    a faithful translation that the policy blocks.
    """
    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        if out.get("type") == "string" and not ({"enum", "const", "pattern", "format"} & out.keys()):
            out["pattern"] = NO_RAW_HARDWARE_PATTERN
        return out

    return walk(schema)


def refusal_decoding() -> dict[str, Any]:
    """The decode schema of a message that tries to change the rules: a ``blocked_request`` and
    nothing else, whose reason and operator message name neither raw control nor an effect.

    Such a message ends blocked whatever the answer says (the policy's injection and authority
    checks), and the contract says it becomes a blocked_request; this keeps the student from
    translating the hostile half of it ("run blackout") or repeating it in the refusal.
    """
    refusal = _strip_titles(BlockedRequest.model_json_schema())
    pattern = no_raw_hardware_pattern(RAW_HARDWARE_WORDS + EFFECT_WORDS)
    for field in ("reason", "operator_message"):
        refusal["properties"][field]["pattern"] = pattern
    return refusal
