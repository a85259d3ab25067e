"""The policy: the only authority on what a ShowIntent may do. The model never decides.

``decide`` runs three layers and keeps the strictest verdict (block > require_approval > allow):
1. the default effect policy in the spec's evaluation order;
2. roles — the audience may only cause change_mood (intensity <= 0.4), log_note or panic_status;
3. the live service's stricter layer (``live=True``, the default): prompt-injection patterns in
   English and Portuguese, raw hardware-control words, a mood intensity cap, unknown cues, and
   flicker-risk cues.
Every input shape is accepted; whatever cannot be read is treated as the worst case (block), so
no malformed state or intent can reach allow or require_approval by accident.

Threat model. The model that translates a message may be wrong, confused or steered by the
message itself, so any answer is possible: unparseable text; a schema-valid intent of the wrong
type (a blackout request answered as ``change_mood``, "reroute the audio" as a real cue); the
right effect with the magnitudes lost ("haze for 40 seconds" as 3 s, "strobe at max" at the
default intensity); half of a compound message ("make it premium and cut the PA" as the mood
alone); raw control echoed into free text or a made-up cue name ("fixture_channel_12"); or the
message's own claims of authority ("the rules were approved", "modo admin") taken at face value.
The live layer therefore reads the *message* itself, after normalisation (case, accents,
leetspeak, separators, stretched letters, broken or glued words, one typo: see ``normalize`` and
``safety``), and guarantees, whatever intent it is given:
- a message that asks for an operator-only effect, raw hardware control (DMX, channels,
  fixtures, Python, endpoints, URLs), or fog / haze / strobe / confetti beyond its duration or
  intensity limit (digits, words, "max", "no talo", "non-stop"), or that carries an injection or
  an authority claim, ends ``block``: no schema-valid intent reaches allow or require_approval;
- an answer that drops a gated effect the message asks for, arms another one, or changes a
  duration or intensity the message states ends ``block``, with a reason naming both;
- an answer whose free text or cue name carries raw control or an authority claim ends ``block``.
The reasons say what was seen, so the operator can resend one clear request. What it does not
claim: a typo that turns a hazard word into another real word ("movers" -> "moves") reads as that
word; ``live=False`` keeps only layers 1-2; the guarantee is about this policy's decision, and
the runtime that consumes it must honour ``block``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from protege.apps.showintent import catalog, safety
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER

Decision = Literal["allow", "require_approval", "block"]
_SEVERITY = {"allow": 0, "require_approval": 1, "block": 2}
CHAT_ROLES = frozenset({"operator", "crew", "audience"})
USER_ROLES = frozenset({"foh", "operator", "crew", "audience", "unknown"})
AUDIENCE_INTENTS = frozenset({"change_mood", "log_note", "panic_status"})
AUDIENCE_MAX_MOOD_INTENSITY = 0.4
LIVE_MAX_MOOD_INTENSITY = 0.85


@dataclass(frozen=True)
class EffectRule:
    decision: Decision
    max_duration_s: float | None = None
    max_intensity: float | None = None
    cooldown_s: float = 0.0
    operator_only: bool = False


_BLOCKED = EffectRule("block", operator_only=True)
DEFAULT_EFFECT_POLICY: Mapping[str, EffectRule] = {
    "fog": EffectRule("require_approval", 3, 0.5, 60),
    "hazer": EffectRule("require_approval", 3, 0.5, 60),
    "strobe": EffectRule("require_approval", 5, 0.4, 120),
    "confetti_sim": EffectRule("require_approval", 3, 1.0, 60),
    **{name: _BLOCKED for name in (
        "blackout", "freeze", "moving_head", "laser", "mixer_gain", "pa_mute", "audio_routing")},
}
# What a bare request ("/fog", "solta fumaça") means: the spec's safe defaults, within limits.
SAFE_EFFECT_DEFAULTS: Mapping[str, tuple[float, float]] = {
    "fog": (3, 0.35), "hazer": (3, 0.35), "strobe": (2, 0.3), "confetti_sim": (3, 0.5),
}


@dataclass(frozen=True)
class VenueManifest:
    """A trusted venue's mixer and the scenes/snapshots/cues it may arm (then only with approval)."""

    mixer_ids: frozenset[str]
    scene_ids: frozenset[str] = frozenset()
    show_names: frozenset[str] = frozenset()
    snapshot_names: frozenset[str] = frozenset()
    cue_names: frozenset[str] = frozenset()

    def matches(self, intent: Any) -> bool:
        if intent.adapter_target.mixer_id not in self.mixer_ids:
            return False
        t = intent.target
        named = [(t.scene_id, self.scene_ids), (t.show_name, self.show_names),
                 (t.setlist_ref, frozenset())]
        named.append((getattr(t, "snapshot_name", None), self.snapshot_names))
        named.append((getattr(t, "cue_name", None), self.cue_names))
        present = [(value, allowed) for value, allowed in named if value is not None]
        return bool(present) and all(value in allowed for value, allowed in present)


@dataclass(frozen=True)
class PolicyDecision:
    decision: Decision
    reasons: tuple[str, ...]
    intent_type: str


def _fold(text: str) -> str:
    """Lowercase without accents, so "instruções" and "instrucoes" match one pattern."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_INJECTION = re.compile("|".join([
    r"\bignor(e|es|ing|a|ar|em|ando)\b.{0,40}\b(rules?|instructions?|polic(y|ies)|prompts?|guardrails?"
    r"|regras?|instruc\w*|politicas?|orientac\w*)",
    r"\b(forget|esquec?(a|e|er|am|ca))\b.{0,40}\b(instructions?|rules?|polic(y|ies)|regras?|instruc\w*|politicas?)",
    # "disregard what you were told": someone else's orders, never the operator taking back their own
    (r"\b(ignor\w*|esquec\w*|desconsider\w*|forget|disregard)\b.{0,25}"
     r"\b(te (falaram|disseram|mandaram|pediram|ensinaram|instruiram)|(falaram|disseram|mandaram) (pra|para) (voce|vc|ti)"
     r"|(o |a )?(sistema|prompt|configuracao|setup|producao) (disse|falou|mandou|pediu|configurou)"
     r"|you (were|have been|ve been|got) (told|instructed|given)|(they|someone|somebody) told you|told to you"
     r"|(the )?(system|prompt|setup) (said|says|told))\b"),
    r"\boverrid(e|ing)\b.{0,30}\b(safety|polic(y|ies)|rules?)",
    r"\bbypass(ing)?\b.{0,30}\b(polic(y|ies)|safety|rules?|approvals?|filters?)",
    r"\b(disable|turn off|switch off)\b.{0,30}\b(safety|polic(y|ies)|guardrails?|filters?)",
    r"\b(burl|contorn|pul)(a|e|ar|ando)\b.{0,30}\b(politicas?|seguranca|regras?|aprovac\w*)",
    r"\b(desativ|deslig|desabilit)\w*\b.{0,30}\b(seguranca|politicas?|filtros?|travas?|regras?)",
    r"\bsobrescrev\w*\b.{0,30}\b(seguranca|politicas?|regras?)",
    r"\bjailbreak\b", r"\bdeveloper mode\b", r"\bsystem prompt\b", r"\bprompt do sistema\b",
    r"\byou are now\b", r"\bvoce agora e\b", r"\bmodo (desenvolvedor|dev|admin|deus)\b",
    r"\bsem (restricao|restricoes|regras|filtros?)\b", r"\bno (restrictions|rules)\b",
    r"\b(nao|no) (tem|ha|existem?) (mais )?(restricao|restricoes|regras|limites?)\b",
    r"\byou (have|got) no (more )?(restrictions|rules|limits)\b",
    r"\ba partir de agora,? (voce|vc) (e|eh|esta|nao|pode|vai)\b", r"\bfrom now on,? you (are|have|can|will)\b",
    r"\b(finge|finja|fingir) que (voce|vc|e|eh)\b", r"\bpretend (you are|you're|to be)\b",
    r"\b(voce|vc) e o operador\b", r"\byou are the operator\b", r"\[(sistema|system|admin)\]",
    r"\badmin mode\b", r"\bpolicy says (it'?s|its) (fine|ok)\b", r"\bpolitica (diz|disse) que (ta|esta) liberado\b",
]), re.DOTALL)
_RAW_CONTROL = re.compile("|".join([
    r"\bdmx\b", r"\bfixture[\s_-]*(channel|endpoint)s?\b", r"\b(channel|canal)[\s_#-]*\d+",
    r"\bpython\b", r"\bendpoints?\b", r"\bmixer[\s_-]*gain\b", r"\bganho\b.{0,20}\b(mixer|mesa)\b",
    r"\bpa[\s_-]*mute\b", r"\b(muta|mutar|mute)\b.{0,12}\bpa\b", r"\baudio[\s_-]*routing\b",
    r"\broteamento\b.{0,12}\baudio\b", r"\blasers?\b", r"\bmoving[\s_-]*heads?\b",
    r"\bcabecas? move(l|is)\b", r"\bblackout\b", r"\bapagao\b", r"\bfreeze\b", r"\bcongel(a|ar|e|em|ando)\b",
    r"\bop\s*\(\s*['\"]", r"\.par\.\w+",  # TouchDesigner Python: op('name').par.value
]), re.DOTALL)


@lru_cache(maxsize=16384)  # a message is checked once however many answers are weighed against it
def find_injection(text: str) -> str | None:
    match = _INJECTION.search(_fold(text))
    return match.group(0) if match else None


@lru_cache(maxsize=16384)
def find_raw_control(text: str) -> str | None:
    match = _RAW_CONTROL.search(_fold(text))
    return match.group(0) if match else None


def _injection_in(text: str) -> str | None:
    """An injection pattern in the text as typed or in canonical form ("overide", "esquece as instrucao")."""
    return find_injection(text) or find_injection(safety.canonical(text))


def tries_to_change_rules(message: str) -> str | None:
    """What in the message tries to change the rules (an injection or an authority claim), if
    anything. Such a message ends ``block`` whatever it asks for or any answer to it says."""
    authority = safety.read_message(message).authority
    return _injection_in(message) or (authority[0] if authority else None)


def _parse(intent: Any) -> Any | None:
    if isinstance(intent, BaseModel):
        intent = intent.model_dump(mode="json", exclude_unset=True)
    try:
        if isinstance(intent, (str, bytes)):
            return SHOWINTENT_ADAPTER.validate_json(intent)
        return SHOWINTENT_ADAPTER.validate_python(intent)
    except (ValidationError, ValueError, TypeError):
        return None


def _timestamp(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value == value and abs(value) < 1e12 else None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        try:
            return parsed.timestamp()
        except (ValueError, OverflowError):
            return None
    return None


def _cooldown_violation(effect: str, cooldown_s: float, state: Mapping[str, Any]) -> str | None:
    """A reason to block if ``effect`` ran within its cooldown, or if we cannot tell."""
    recent = state.get("recent_effects")
    if recent is None or cooldown_s <= 0:
        return None
    if not isinstance(recent, (list, tuple)):
        return "recent_effects unreadable"
    now = _timestamp(state.get("now"))
    for item in recent:
        if not isinstance(item, Mapping):
            return "recent_effects unreadable"
        if item.get("effect") != effect:
            continue
        at = _timestamp(item.get("at", item.get("timestamp")))
        if now is None or at is None:
            return f"{effect} cooldown unknown"
        if now - at < cooldown_s:
            return f"{effect} cooldown {cooldown_s:g}s"
    return None


@dataclass
class _Verdicts:
    items: list[tuple[Decision, str]] = field(default_factory=list)

    def add(self, decision: Decision, reason: str) -> None:
        self.items.append((decision, reason))

    def result(self, intent_type: str) -> PolicyDecision:
        worst = max((d for d, _ in self.items), key=_SEVERITY.__getitem__, default="block")
        reasons = tuple(r for d, r in self.items if d == worst) or ("no rule matched",)
        return PolicyDecision(worst, reasons, intent_type)


def _base(intent: Any, state: Mapping[str, Any], manifest: VenueManifest | None,
          effect_policy: Mapping[str, EffectRule], out: _Verdicts) -> None:
    kind = intent.type
    if kind == "blocked_request":
        out.add("block", "blocked_request")
    elif kind in ("announce", "change_mood", "log_note", "approve_effect", "cancel_effect", "panic_status"):
        out.add("allow", f"{kind} allowed")
    elif kind == "request_cue":
        if catalog.is_preapproved(intent.cue) and intent.preapproved is not False:
            out.add("allow", "preapproved cue")
        else:
            out.add("require_approval", "cue needs approval")
    elif kind == "arm_mixer_scene":
        if manifest is not None and manifest.matches(intent):
            out.add("require_approval", "trusted venue manifest")
        else:
            out.add("block", "no trusted venue manifest")
    elif kind == "arm_effect":
        _arm_effect(intent, state, effect_policy, out)
    else:  # a new intent type nobody wrote a rule for
        out.add("block", f"no rule for {kind}")


def _arm_effect(intent: Any, state: Mapping[str, Any], effect_policy: Mapping[str, EffectRule],
                out: _Verdicts) -> None:
    effect = intent.effect.value
    rule = effect_policy.get(effect)
    if rule is None:
        out.add("block", f"no policy for {effect}")
        return
    checks = [
        _cooldown_violation(effect, rule.cooldown_s, state),
        f"{effect} is operator_only" if rule.operator_only else None,
        f"{effect} duration missing" if intent.duration_seconds is None else None,
        f"{effect} over {rule.max_duration_s}s" if rule.max_duration_s is not None
        and intent.duration_seconds is not None and intent.duration_seconds > rule.max_duration_s else None,
        f"{effect} intensity missing" if intent.intensity is None else None,
        f"{effect} over intensity {rule.max_intensity}" if rule.max_intensity is not None
        and intent.intensity is not None and intent.intensity > rule.max_intensity else None,
        f"{effect} blocked during panic" if state.get("panic") not in (None, False) else None,
    ]
    failed = [reason for reason in checks if reason]
    for reason in failed:
        out.add("block", reason)
    if not failed:
        out.add(rule.decision, f"{effect} within limits")


def _roles(intent: Any, chat_role: Any, user_role: Any, out: _Verdicts) -> None:
    if not (isinstance(chat_role, str) and isinstance(user_role, str)) or (
            chat_role not in CHAT_ROLES or user_role not in USER_ROLES):
        out.add("block", "unknown role")
        return
    if "audience" not in (chat_role, user_role):
        return
    if intent.type not in AUDIENCE_INTENTS:
        out.add("block", f"audience may not cause {intent.type}")
    elif intent.type == "change_mood" and intent.intensity > AUDIENCE_MAX_MOOD_INTENSITY:
        out.add("block", "audience mood intensity over 0.4")
    elif intent.type == "panic_status" and intent.request == "clear_panic_after_operator_confirmation":
        out.add("block", "audience may not clear panic")


def effect_limits(effect_policy: Mapping[str, EffectRule] = DEFAULT_EFFECT_POLICY) -> dict[str, tuple[float, float]]:
    """(max duration s, max intensity) of every effect that has both limits."""
    return {name: (rule.max_duration_s, rule.max_intensity) for name, rule in effect_policy.items()
            if rule.max_duration_s is not None and rule.max_intensity is not None}


def _live(intent: Any, message: str, effect_policy: Mapping[str, EffectRule], out: _Verdicts) -> None:
    intent_text = json.dumps(intent.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
    for text, where in ((message, "message"), (intent_text, "intent")):
        # each pattern sees the text as typed and in canonical form ("fixture chanel", "overide")
        if _injection_in(text):
            out.add("block", f"prompt injection in {where}")
        if find_raw_control(text) or find_raw_control(safety.canonical(text)):
            out.add("block", f"raw control in {where}")
    for reason in safety.review(intent, message, effect_limits(effect_policy)):
        out.add("block", reason)
    if intent.type == "change_mood" and intent.intensity > LIVE_MAX_MOOD_INTENSITY:
        out.add("block", "mood intensity over 0.85")
    if intent.type == "request_cue":
        if not catalog.is_known(intent.cue):
            out.add("block", "unknown cue")
        elif catalog.has_flicker_risk(intent.cue):
            out.add("require_approval", "flicker risk")


def decide(
    intent: Any,
    *,
    message: Any = "",
    show_state: Any = None,
    cue_catalog_subset: Sequence[str] | None = None,
    chat_role: Any = "operator",
    user_role: Any = "operator",
    live: bool = True,
    venue_manifest: VenueManifest | None = None,
    effect_policy: Mapping[str, EffectRule] = DEFAULT_EFFECT_POLICY,
) -> PolicyDecision:
    """Decide allow | require_approval | block for one translated operator message.

    ``intent`` may be a ShowIntent model, a dict, JSON text, or None (the model's output failed
    the schema): anything that is not a valid ShowIntent is blocked with intent_type "unknown".
    ``cue_catalog_subset`` is accepted for a uniform call shape; known-ness comes from the full
    catalog, since a cue the screen does not show right now is still a real cue.
    """
    del cue_catalog_subset
    parsed = _parse(intent) if intent is not None else None
    if parsed is None:
        return PolicyDecision("block", ("schema invalid",), "unknown")
    state = show_state if isinstance(show_state, Mapping) else {}
    out = _Verdicts()
    if show_state is not None and state is not show_state and parsed.type == "arm_effect":
        out.add("block", "show_state unreadable")  # cannot check cooldowns or panic
    _base(parsed, state, venue_manifest, effect_policy, out)
    _roles(parsed, chat_role, user_role, out)
    if live:
        _live(parsed, message if isinstance(message, str) else str(message), effect_policy, out)
    return out.result(parsed.type)


def normalize_decision(label: str) -> Decision:
    """Eval files may say "approval_required"; the policy says "require_approval"."""
    value = label.strip().lower()
    if value == "approval_required":
        return "require_approval"
    if value not in _SEVERITY:
        raise ValueError(f"unknown policy decision {label!r}: use allow, require_approval or block")
    return value  # type: ignore[return-value]
