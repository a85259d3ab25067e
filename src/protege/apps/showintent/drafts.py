"""How the ShowIntent generator drafts one operator message of each category, with its intent.

A draft is the message before the crew's fillers and typos are added, the canonical intent it
means (optional fields only when the message says them) and the show state it needs: a cue the
screen must offer, pending approvals, recent effects, panic. ``DRAFTERS`` maps each category of
``generator.CATEGORY_SHARES`` to its drafter; every drafter draws from the generator's
``random.Random`` in a fixed order, so a seed gives the same rows.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from protege.apps.showintent import catalog, vocab
from protege.apps.showintent import phrasing as ph
from protege.apps.showintent import vocab_extra as vx
from protege.apps.showintent.policy import DEFAULT_EFFECT_POLICY, SAFE_EFFECT_DEFAULTS

_SAFE_CUES = sorted(c.name for c in catalog.CUES if c.preapproved) + ["band_intro", "ai_intro_text"]
_GATED_CUES = sorted(c.name for c in catalog.CUES if not c.preapproved)
REQUESTABLE_CUES = frozenset(_SAFE_CUES + _GATED_CUES)
"""Every cue an operator can ask for by name: the catalog's screen cues and the two show cues."""
_LIMITS = {e: (r.max_duration_s, r.max_intensity, r.cooldown_s)
           for e, r in DEFAULT_EFFECT_POLICY.items() if not r.operator_only}
_INTENSITIES = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0)
_DURATIONS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 15, 20, 30, 60)
_EFFECT_TAG = {"fog": "fog", "hazer": "hazer", "strobe": "strobe", "confetti_sim": "confetti"}


BASE_NOW = "2026-05-14T21:30:00Z"  # show_state.now of every row


def _ago(seconds: int) -> str:
    """``seconds`` before BASE_NOW (less than half an hour)."""
    minute, second = divmod(30 * 60 - seconds, 60)
    return f"{BASE_NOW[:14]}{minute:02d}:{second:02d}Z"


@dataclass
class Draft:
    message: str
    intent: dict[str, Any]
    tags: list[str]
    cue: str | None = None  # a catalog cue the subset must offer
    recent: list[dict[str, Any]] = field(default_factory=list)
    chat_role: str = "operator"
    user_role: str = "foh"
    typo_ok: bool = True
    pending: list[str] = field(default_factory=list)  # approval ids waiting in show_state
    panic: bool = False  # show_state.panic
    fillers: str = "both"  # "both", "prefix" (the message ends in verbatim text or code) or "none"


def _blocked(reason: str, loc: str) -> dict[str, Any]:
    return {"type": "blocked_request", "reason": reason, "operator_message": ph.of(vx.BLOCKED_MESSAGES[reason], loc)}


def _effect(effect: str, duration: float | None = None, intensity: float | None = None,
            timing: str | None = None) -> dict[str, Any]:
    d0, i0 = SAFE_EFFECT_DEFAULTS.get(effect, (None, None))
    intent: dict[str, Any] = {"type": "arm_effect", "effect": effect}
    if duration is not None or d0 is not None:
        intent["duration_seconds"] = duration if duration is not None else d0
    if intensity is not None or i0 is not None:
        intent["intensity"] = intensity if intensity is not None else i0
    if timing:
        intent["timing"] = timing
    return intent


# ---- category drafts -------------------------------------------------------------------------

def _cue_draft(rng: random.Random, loc: str, cue: str, brand: bool = False) -> Draft:
    phrase = ph.pick(rng, vocab.CUE_PHRASES[cue], loc)
    template = ph.pick(rng, vocab.BRAND_TEMPLATES if brand else vocab.CUE_TEMPLATES, loc)
    message = template.format(**ph.forms(phrase, loc))
    intent: dict[str, Any] = {"type": "request_cue", "cue": cue}
    section = catalog.CUE_BY_NAME[cue].section if cue in catalog.CUE_BY_NAME else None
    roll = rng.random()
    if section in vocab.SECTION_CONTEXT and roll < 0.2:
        context = ph.pick(rng, vocab.SECTION_CONTEXT[section], loc)
        message = ph.append(message, context) if rng.random() < 0.6 else f"{context}, {message}"
    elif roll > 0.9:
        timing = rng.choice(sorted(vx.TIMING_WORDS))
        message = ph.append(message, ph.pick(rng, vx.TIMING_WORDS[timing], loc), ", " if timing == "manual" else " ")
        intent["timing"] = timing
    return Draft(message, intent, ["cue"] + (["brand"] if brand else []), cue=cue)


def _mood_draft(rng: random.Random, loc: str, intensity: float | None = None) -> Draft:
    mood = rng.choice(sorted(vocab.MOODS))
    intent: dict[str, Any] = {"type": "change_mood", "mood": mood}
    if intensity is None and rng.random() < 0.2:
        situation = ph.pick(rng, vocab.MOOD_SITUATIONS[mood], loc)
        return Draft(ph.pick(rng, vocab.SITUATION_TEMPLATES, loc).format(s=situation), intent, ["mood", "situation"])
    tags = ["mood"]
    if rng.random() < 0.25:  # said as what to do to the room
        message = ph.pick(rng, vx.MOOD_ACTIONS[mood], loc)
        tags.append("action")
    else:
        message = ph.pick(rng, vocab.MOOD_TEMPLATES, loc).format(m=ph.pick(rng, vocab.MOODS[mood], loc))
    if rng.random() < 0.15:  # and what it is for
        message = ph.append(message, ph.pick(rng, vx.MOOD_OCCASIONS, loc), ", ")
        tags.append("occasion")
    if intensity is not None:
        message = ph.append(message, ph.say_intensity(rng, loc, intensity), rng.choice([" ", ", "]))
        intent["intensity"] = intensity
    return Draft(message, intent, tags)


def _approval_flow(rng: random.Random, loc: str, approve: bool) -> Draft:
    pending = [f"apr-{i}" for i in rng.sample(range(1, 200), rng.choice([1, 1, 2, 3]))]
    target = rng.choice(pending)
    said = ph.pick(rng, vx.THE_PENDING, loc) if len(pending) == 1 and rng.random() < 0.35 else target
    operator = rng.choice(["foh", "foh", "operator"])
    if approve:
        intent = {"type": "approve_effect", "approval_id": target, "operator": operator}
    else:
        intent = {"type": "cancel_effect", "approval_id": target}
    message = ph.pick(rng, vx.APPROVE if approve else vx.CANCEL, loc).format(a=said)
    return Draft(message, intent, ["approval_flow"], pending=pending, user_role=operator)


def _safe(rng: random.Random, loc: str) -> Draft:
    kind = rng.choices(["mood", "cue", "brand", "announce", "note", "status", "panic", "clear_panic",
                        "approve", "cancel"], [30, 30, 8, 9, 8, 5, 3, 3, 6, 4])[0]
    if kind == "mood":
        return _mood_draft(rng, loc, rng.choice([None, None, None, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85]))
    if kind in ("cue", "brand"):
        cue = rng.choice(["brand_hero", "brand_hero_prism"] if kind == "brand" and rng.random() < 0.6 else _SAFE_CUES)
        return _cue_draft(rng, loc, cue, brand=kind == "brand")
    if kind == "announce":
        text = ph.pick(rng, vx.ANNOUNCE_TEXTS, loc)
        return Draft(ph.pick(rng, vx.ANNOUNCE_TEMPLATES, loc).format(t=text), {"type": "announce", "text": text},
                     ["announce"], typo_ok=False, fillers="prefix")
    if kind == "note":
        note = ph.pick(rng, vx.NOTES, loc)
        return Draft(ph.pick(rng, vx.NOTE_TEMPLATES, loc).format(n=note), {"type": "log_note", "note": note},
                     ["note"], typo_ok=False, fillers="prefix")
    if kind == "status":
        return Draft(ph.pick(rng, vx.STATUS, loc), {"type": "panic_status", "request": "status"}, ["status"],
                     panic=rng.random() < 0.2)
    if kind == "panic":
        return Draft(ph.pick(rng, vx.PANIC, loc), {"type": "panic_status", "request": "enter_panic_safe"}, ["panic"])
    if kind == "clear_panic":
        return Draft(ph.pick(rng, vx.CLEAR_PANIC, loc),
                     {"type": "panic_status", "request": "clear_panic_after_operator_confirmation"},
                     ["panic", "clear_panic"], panic=True)
    return _approval_flow(rng, loc, approve=kind == "approve")


def _gated_effect(rng: random.Random, loc: str, over: bool) -> Draft:
    effect = rng.choice(sorted(vx.EFFECT_PHRASES))
    max_d, max_i, _ = _LIMITS[effect]
    ok_d = [float(d) for d in _DURATIONS if d <= max_d]
    ok_i = [v for v in _INTENSITIES if v <= max_i]
    duration = intensity = timing = None
    if over:
        if max_i >= 1 or rng.random() < 0.5:
            duration = float(rng.choice([d for d in _DURATIONS if d > max_d]))
            intensity = rng.choice(ok_i) if rng.random() < 0.3 else None
        else:
            intensity = rng.choice([v for v in _INTENSITIES if v > max_i])
            duration = rng.choice(ok_d) if rng.random() < 0.3 else None
    else:
        duration = rng.choice(ok_d) if rng.random() < 0.5 else None
        intensity = rng.choice(ok_i) if rng.random() < 0.45 else None
    said = []
    if duration is not None:
        said.append(ph.say_duration(rng, loc, duration))
    if intensity is not None:
        said.append(ph.say_intensity(rng, loc, intensity))
    rng.shuffle(said)
    message = ph.pick(rng, vx.EFFECT_PHRASES[effect], loc)
    if said:
        message = ph.append(message, rng.choice([" ", ", "]).join(said), rng.choice([" ", ", "]))
    if rng.random() < 0.15:
        timing = rng.choice(sorted(vx.TIMING_WORDS))
        message = ph.append(message, ph.pick(rng, vx.TIMING_WORDS[timing], loc), ", " if timing == "manual" else " ")
    return Draft(message, _effect(effect, duration, intensity, timing),
                 [_EFFECT_TAG[effect]] + (["hazard"] if over else []))


def _old_effects(rng: random.Random, effect: str) -> list[dict[str, Any]]:
    """Effects that ran earlier but outside this effect's cooldown: state noise that must not block."""
    others = [e for e in sorted(_LIMITS) if e != effect]
    recent = [{"effect": rng.choice(others), "at": _ago(rng.randint(5, 300))}]
    if rng.random() < 0.5:
        recent.append({"effect": effect, "at": _ago(int(_LIMITS[effect][2]) + rng.randint(5, 600))})
    return recent


def _approval(rng: random.Random, loc: str) -> Draft:
    if rng.random() < 0.3:
        return _cue_draft(rng, loc, rng.choice(_GATED_CUES))
    draft = _gated_effect(rng, loc, over=False)
    if rng.random() < 0.3:
        draft.recent = _old_effects(rng, draft.intent["effect"])
    return draft


def _raw_values(rng: random.Random) -> dict[str, Any]:
    return {"u": rng.randint(1, 4), "ch": rng.randint(1, 512), "v": rng.randint(0, 255), "ip": rng.randint(2, 250),
            "n": rng.randint(1, 48), "port": rng.choice([7000, 8080, 9000, 9980]), "op": rng.choice(vx.TD_OPS),
            "par": rng.choice(vx.TD_PARS), "val": rng.choice(["0", "1", "0.5", "3", "True"])}


def _unknown_look(rng: random.Random, loc: str) -> str:
    """A look nobody built, described in words: "a nuvem de vagalumes", "crystal forest"."""
    head, stuff = ph.pick(rng, vx.UNKNOWN_LOOK_HEADS, loc), ph.pick(rng, vx.UNKNOWN_LOOK_STUFF, loc)
    return f"{head} {stuff}" if loc == ph.PT else f"{stuff} {head}"


def _unknown_cue(rng: random.Random, loc: str, telegram: bool = False) -> Draft:
    cue = rng.choice(vocab.UNKNOWN_CUES)
    if not telegram and rng.random() < 0.6:  # a look described in words: its words become the name
        slots = ph.forms(_unknown_look(rng, loc), loc)
        name = re.sub(r"[^a-z0-9]+", "_", ph.strip_accents(slots["c0"].lower())).strip("_")
        # asked the way real cues are asked, so that only the look's words tell it is not in the catalog
        templates = vocab.CUE_TEMPLATES if rng.random() < 0.5 else vocab.UNKNOWN_TEMPLATES
        message = ph.pick(rng, templates, loc).format(**slots)
        return Draft(message, {"type": "request_cue", "cue": name}, ["cue", "unknown_cue"], typo_ok=False)
    if telegram:
        message = f"/{rng.choice(['cue', 'lights'])} {cue}"
    else:
        shown = rng.choice([cue, cue, cue.replace("_", " "), cue.replace("_", " ").title()])
        message = ph.pick(rng, vocab.UNKNOWN_TEMPLATES, loc).format(**ph.forms(shown, loc))
    return Draft(message, {"type": "request_cue", "cue": cue}, ["cue", "unknown_cue"], typo_ok=False)


def _mixer(rng: random.Random, loc: str) -> Draft:
    kind = rng.choice(["snapshot", "snapshot", "scene", "show", "cue"])
    name = rng.choice(vx.MIXER_SCENE_NAMES)
    forms = ph.forms(rng.choice(ph.of(vx.MIXER_TARGETS, loc)[kind]).format(s=name), loc)
    message = ph.pick(rng, vx.MIXER_TEMPLATES, loc).format(t=forms["c"], t0=forms["c0"], m=ph.pick(rng, vx.MIXER_NAMES, loc))
    target = {"snapshot": {"kind": "snapshot", "snapshot_name": name}, "scene": {"kind": "show", "scene_id": name},
              "show": {"kind": "show", "show_name": name}, "cue": {"kind": "cue", "cue_name": name}}[kind]
    intent = {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "main"},
              "target": target}
    return Draft(message, intent, ["mixer"], typo_ok=False)


def _blocked_draft(rng: random.Random, loc: str) -> Draft:
    kind = rng.choices(["effect", "over", "cooldown", "panic", "raw", "python", "injection", "unknown_cue",
                        "mixer", "mood", "audience"], [22, 12, 7, 3, 12, 6, 14, 18, 7, 5, 4])[0]
    if kind == "effect":
        effect = rng.choice(sorted(vx.BLOCKED_EFFECT_PHRASES))
        tags = ["unsafe"] + (["pa"] if effect == "pa_mute" else ["mixer"] if effect == "mixer_gain" else [])
        message, duration = ph.pick(rng, vx.BLOCKED_EFFECT_PHRASES[effect], loc), None
        if effect in ("blackout", "freeze", "laser", "pa_mute") and rng.random() < 0.2:
            duration = float(rng.choice([2, 3, 5, 10]))
            message = ph.append(message, ph.say_duration(rng, loc, duration))
        return Draft(message, _effect(effect, duration), tags)
    if kind == "over":
        return _gated_effect(rng, loc, over=True)
    if kind in ("cooldown", "panic"):
        draft = _gated_effect(rng, loc, over=False)
        if kind == "panic":
            draft.panic = True
        else:
            draft.recent = [{"effect": draft.intent["effect"], "at": _ago(rng.choice([10, 20, 30, 45]))}]
        draft.tags.append(kind)
        return draft
    if kind in ("raw", "python"):
        pool = vx.RAW_HARDWARE if kind == "raw" else vx.RAW_PYTHON
        tag = "raw_hardware" if kind == "raw" else "raw_python"
        return Draft(ph.pick(rng, pool, loc).format(**_raw_values(rng)), _blocked("raw_hardware_control", loc),
                     ["unsafe", tag], typo_ok=False, fillers="prefix" if kind == "python" else "both")
    if kind == "injection":
        message = ph.pick(rng, vx.INJECTIONS, loc).format(x=ph.pick(rng, vx.INJECTION_PAYLOADS, loc))
        return Draft(message, _blocked("prompt_injection", loc), ["prompt_injection", "unsafe"], typo_ok=False)
    if kind == "unknown_cue":
        return _unknown_cue(rng, loc)
    if kind == "mixer":
        return _mixer(rng, loc)
    if kind == "mood":
        return _mood_draft(rng, loc, rng.choice([0.9, 0.95, 1.0, 1.0]))
    roll = rng.random()  # the audience asking for what only the crew may cause
    if roll < 0.4:
        draft = _gated_effect(rng, loc, over=False)
    elif roll < 0.7:
        draft = _cue_draft(rng, loc, rng.choice(_SAFE_CUES))
    else:
        draft = _mood_draft(rng, loc, rng.choice([0.6, 0.7, 0.8]))
    draft.chat_role = draft.user_role = "audience"
    draft.tags.append("audience")
    return draft


def _ambiguous(rng: random.Random, loc: str) -> Draft:
    ask = ph.pick(rng, vx.VAGUE_ASKS, loc) if rng.random() < 0.4 else ""
    if rng.random() < 0.5:
        message, mood = ph.pick(rng, vocab.IMPLICIT_MOODS, loc)
        return Draft(_with_ask(rng, message, ask), {"type": "change_mood", "mood": mood}, ["mood", "implicit"])
    if rng.random() < 0.5:
        return Draft(ph.pick(rng, vx.VAGUE, loc), _blocked("ambiguous_request", loc), ["ambiguous"])
    message = _with_ask(rng, ph.pick(rng, vx.VAGUE_COMPLAINTS, loc), ask)
    return Draft(message, _blocked("ambiguous_request", loc), ["ambiguous", "complaint"])


def _with_ask(rng: random.Random, complaint: str, ask: str) -> str:
    """A complaint with an ask that gives no direction, in either order ("tá ruim, troca")."""
    return rng.choice(["{c}, {a}", "{a}, {c}", "{c}. {a}"]).format(c=complaint, a=ask) if ask else complaint


def _telegram(rng: random.Random, loc: str) -> Draft:
    kind = rng.choice(["status", "panic", "approve", "deny", "cancel", "fog", "hazer", "strobe", "mood",
                       "vibe", "lights", "cue", "band", "announce", "message", "vote", "audience_mood"])
    approval_id = f"apr-{rng.randint(1, 199)}"

    def d(msg: str, intent: dict[str, Any], tags: tuple[str, ...] | list[str] = (), **kw: Any) -> Draft:
        return Draft(msg, intent, list(tags), typo_ok=False, fillers="none", **kw)  # commands arrive verbatim

    if kind == "status":
        return d("/status", {"type": "panic_status", "request": "status"})
    if kind == "panic":
        return d("/panic", {"type": "panic_status", "request": "enter_panic_safe"})
    if kind == "approve":
        return d(f"/approve {approval_id}", {"type": "approve_effect", "approval_id": approval_id, "operator": "foh"},
                 pending=[approval_id])
    if kind in ("deny", "cancel"):
        return d(f"/{kind} {approval_id}", {"type": "cancel_effect", "approval_id": approval_id}, pending=[approval_id])
    if kind in ("fog", "hazer", "strobe"):
        roll = rng.random()
        if roll < 0.4:
            return d(f"/{kind}", _effect(kind), [kind])
        duration = float(rng.choice([1, 2, 3, 5, 10]))
        if roll < 0.6:
            return d(f"/{kind} {ph.num(duration)}", _effect(kind, duration), [kind])
        intensity = rng.choice([0.2, 0.3, 0.35, 0.5, 0.8])
        return d(f"/{kind} {ph.num(duration)} {ph.num(intensity)}", _effect(kind, duration, intensity), [kind])
    if kind in ("mood", "vibe"):
        mood = rng.choice(sorted(vocab.MOODS))
        if rng.random() < 0.3:
            intensity = rng.choice([0.3, 0.5, 0.7, 0.8])
            return d(f"/{kind} {mood} {ph.num(intensity)}", {"type": "change_mood", "mood": mood, "intensity": intensity},
                     ["mood"])
        return d(f"/{kind} {mood}", {"type": "change_mood", "mood": mood}, ["mood"])
    if kind in ("lights", "cue"):
        if rng.random() < 0.25:
            draft = _unknown_cue(rng, loc, telegram=True)
            draft.fillers = "none"
            return draft
        cue = rng.choice(sorted(vocab.CUE_PHRASES))
        return d(f"/{kind} {cue}", {"type": "request_cue", "cue": cue}, ["cue"], cue=cue)
    if kind == "band":
        return d("/band", {"type": "request_cue", "cue": "band_intro"}, ["cue"], cue="band_intro")
    if kind == "announce":
        text = ph.pick(rng, vx.ANNOUNCE_TEXTS, loc)
        return d(f"/announce {text}", {"type": "announce", "text": text})
    if kind == "message":
        note = ph.pick(rng, vx.NOTES, loc)
        return d(f"/message {note}", {"type": "log_note", "note": note})
    if kind == "vote":
        cue = rng.choice([c.name for c in catalog.CUES if c.section in ("drop", "build")])
        return d(f"/vote {cue}", {"type": "log_note", "note": f"vote {cue}"}, ["audience"],
                 chat_role="audience", user_role="audience")
    mood = rng.choice(["calm", "hype", "festive", "tropical", "bright", "warm"])
    intensity = rng.choice([0.2, 0.3, 0.4, 0.6])
    return d(f"/mood {mood} {ph.num(intensity)}", {"type": "change_mood", "mood": mood, "intensity": intensity},
             ["mood", "audience"], chat_role="audience", user_role="audience")


DRAFTERS = {"safe": _safe, "approval": _approval, "blocked": _blocked_draft,
            "ambiguous": _ambiguous, "telegram": _telegram}

