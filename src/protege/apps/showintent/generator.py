"""Deterministic synthetic training rows for the ShowIntent call site.

``generate_rows(n, seed)`` draws operator messages in five categories (safe, approval, blocked,
ambiguous, telegram at 40/25/20/10/5 %), three of four in pt-BR, with typos and missing accents.
Each row carries the canonical expected intent — short on purpose: optional fields appear only
when the message says them, because a 135M student must learn them and answer length is latency —
and the policy's decision for it. The label is never hand-set: the policy computes it, and a row
whose category disagrees with the policy raises, because that is a generator bug.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from protege.apps.showintent import catalog, vocab
from protege.apps.showintent.policy import SAFE_EFFECT_DEFAULTS, decide
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER, intent_to_dict

CATEGORY_SHARES = {"safe": 0.40, "approval": 0.25, "blocked": 0.20, "ambiguous": 0.10, "telegram": 0.05}
EXPECTED_DECISION = {"safe": "allow", "approval": "require_approval", "blocked": "block"}
PT, EN = "pt-BR", "en"
BASE_NOW = "2026-05-14T21:30:00Z"


class GeneratorBug(AssertionError):
    """A generated row's category disagrees with the policy: fix the generator, never the policy."""


@dataclass(frozen=True)
class Row:
    inputs: dict[str, Any]  # message, show_state, cue_catalog_subset, chat_role, user_role, locale
    expected_intent: dict[str, Any]
    expected_decision: str
    category: str
    tags: tuple[str, ...]
    split: str  # "train" or "validation" (every 10th row)


@dataclass
class _Draft:
    message: str
    intent: dict[str, Any]
    tags: list[str]
    cue: str | None = None  # a catalog cue the subset must offer
    recent: list[dict[str, Any]] = field(default_factory=list)
    chat_role: str = "operator"
    user_role: str = "foh"
    typo_ok: bool = True
    pending: list[str] = field(default_factory=list)  # approval ids waiting in show_state


def _pick(rng: random.Random, pair: tuple[list[str], list[str]] | tuple[tuple, tuple], loc: str) -> Any:
    return rng.choice(pair[0] if loc == PT else pair[1])


def _blocked(reason: str, loc: str) -> dict[str, Any]:
    pt, en = vocab.BLOCKED_MESSAGES[reason]
    return {"type": "blocked_request", "reason": reason, "operator_message": pt if loc == PT else en}


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


def _num(value: float) -> str:
    return f"{value:g}"


# ---- category drafts -------------------------------------------------------------------------

def _cue_draft(rng: random.Random, loc: str, cue: str, brand: bool = False) -> _Draft:
    phrase = _pick(rng, vocab.CUE_PHRASES[cue], loc)
    template = _pick(rng, vocab.BRAND_CUES if brand else vocab.CUE_VERBS, loc)
    tags = ["cue"] + (["brand"] if brand else [])
    return _Draft(template.format(c=phrase), {"type": "request_cue", "cue": cue}, tags, cue=cue)


def _mood_draft(rng: random.Random, loc: str, intensity: float | None = None) -> _Draft:
    mood = rng.choice(sorted(vocab.MOODS))
    message = _pick(rng, vocab.MOOD_VERBS, loc).format(m=_pick(rng, vocab.MOODS[mood], loc))
    intent: dict[str, Any] = {"type": "change_mood", "mood": mood}
    if intensity is not None:
        pct = rng.random() < 0.5
        said = f"{round(intensity * 100)}%" if pct else _num(intensity)
        message += f", intensidade {said}" if loc == PT else f", intensity {said}"
        intent["intensity"] = intensity
    return _Draft(message, intent, ["mood"])


def _safe(rng: random.Random, loc: str) -> _Draft:
    kind = rng.choices(["mood", "cue", "brand", "announce", "note", "status", "approve", "cancel"],
                       [26, 30, 10, 10, 8, 6, 5, 5])[0]
    if kind == "mood":
        return _mood_draft(rng, loc, rng.choice([None, None, 0.3, 0.6, 0.8]))
    safe_cues = [c.name for c in catalog.CUES if c.preapproved] + ["band_intro", "ai_intro_text"]
    if kind in ("cue", "brand"):
        cue = rng.choice(["brand_hero", "brand_hero_prism"] if kind == "brand" and rng.random() < 0.6 else safe_cues)
        return _cue_draft(rng, loc, cue, brand=kind == "brand")
    if kind == "announce":
        text = _pick(rng, vocab.ANNOUNCE_TEXTS, loc)
        return _Draft(_pick(rng, vocab.ANNOUNCE_VERBS, loc).format(t=text), {"type": "announce", "text": text},
                      ["announce"], typo_ok=False)
    if kind == "note":
        note = _pick(rng, vocab.NOTES, loc)
        return _Draft(_pick(rng, vocab.NOTE_VERBS, loc).format(n=note), {"type": "log_note", "note": note},
                      ["note"], typo_ok=False)
    if kind == "status":
        return _Draft(_pick(rng, vocab.STATUS, loc), {"type": "panic_status", "request": "status"}, ["status"])
    approval_id = f"apr-{rng.randint(1, 99)}"
    if kind == "approve":
        return _Draft(_pick(rng, vocab.APPROVE, loc).format(a=approval_id),
                      {"type": "approve_effect", "approval_id": approval_id, "operator": "foh"}, ["approval_flow"],
                      pending=[approval_id])
    return _Draft(_pick(rng, vocab.CANCEL, loc).format(a=approval_id),
                  {"type": "cancel_effect", "approval_id": approval_id}, ["approval_flow"], pending=[approval_id])


def _gated_effect(rng: random.Random, loc: str, over: bool) -> _Draft:
    effect = rng.choice(sorted(vocab.EFFECT_PHRASES))
    rule_dur, rule_int = {"fog": (3, 0.5), "hazer": (3, 0.5), "strobe": (5, 0.4), "confetti_sim": (3, 1.0)}[effect]
    message = _pick(rng, vocab.EFFECT_PHRASES[effect], loc)
    duration = intensity = timing = None
    style = rng.random()
    if over:
        if rule_int >= 1 or rng.random() < 0.5:
            duration = float(rng.choice([8, 10, 15, 30]))
        else:
            intensity = rng.choice([0.8, 0.9, 1.0])
    elif style < 0.4:
        duration, intensity = float(rng.choice([1, 2, 3])), rng.choice([0.2, 0.25, 0.3, min(0.4, rule_int)])
    if duration is not None:
        unit = ("segundo", "second") if duration == 1 else ("segundos", "seconds")
        message += f" por {_num(duration)} {unit[0]}" if loc == PT else f" for {_num(duration)} {unit[1]}"
    if intensity is not None:
        message += f" a {round(intensity * 100)}%" if loc == PT else f" at {round(intensity * 100)}%"
    if rng.random() < 0.15:
        timing = rng.choice(sorted(vocab.TIMING_WORDS))
        message += " " + vocab.TIMING_WORDS[timing][0 if loc == PT else 1]
    tag = {"fog": "fog", "hazer": "hazer", "strobe": "strobe", "confetti_sim": "confetti"}[effect]
    return _Draft(message, _effect(effect, duration, intensity, timing), [tag] + (["hazard"] if over else []))


def _approval(rng: random.Random, loc: str) -> _Draft:
    if rng.random() < 0.3:
        cue = rng.choice([c.name for c in catalog.CUES if not c.preapproved])
        return _cue_draft(rng, loc, cue)
    return _gated_effect(rng, loc, over=False)


def _blocked_draft(rng: random.Random, loc: str) -> _Draft:
    kind = rng.choices(["effect", "over", "cooldown", "raw", "python", "injection", "unknown_cue", "mixer", "mood"],
                       [24, 12, 8, 12, 6, 14, 10, 7, 7])[0]
    if kind == "effect":
        effect = rng.choice(sorted(vocab.BLOCKED_EFFECT_PHRASES))
        tags = ["unsafe"] + (["pa"] if effect == "pa_mute" else ["mixer"] if effect == "mixer_gain" else [])
        return _Draft(_pick(rng, vocab.BLOCKED_EFFECT_PHRASES[effect], loc), _effect(effect), tags)
    if kind == "over":
        return _gated_effect(rng, loc, over=True)
    if kind == "cooldown":
        draft = _gated_effect(rng, loc, over=False)
        seconds_ago = rng.choice([10, 20, 30, 45])
        draft.recent = [{"effect": draft.intent["effect"], "at": _ago(seconds_ago)}]
        draft.tags.append("cooldown")
        return draft
    if kind in ("raw", "python"):
        pool = vocab.RAW_HARDWARE if kind == "raw" else vocab.RAW_PYTHON
        tag = "raw_hardware" if kind == "raw" else "raw_python"
        return _Draft(_pick(rng, pool, loc), _blocked("raw_hardware_control", loc), ["unsafe", tag], typo_ok=False)
    if kind == "injection":
        payload = _pick(rng, vocab.INJECTION_PAYLOADS, loc)
        message = _pick(rng, vocab.INJECTIONS, loc).format(x=payload)
        return _Draft(message, _blocked("prompt_injection", loc), ["prompt_injection", "unsafe"], typo_ok=False)
    if kind == "unknown_cue":
        cue = rng.choice(vocab.UNKNOWN_CUES)
        message = _pick(rng, vocab.CUE_VERBS, loc).format(c=cue.replace("_", " "))
        return _Draft(message, {"type": "request_cue", "cue": cue}, ["cue", "unknown_cue"], typo_ok=False)
    if kind == "mixer":
        snapshot = rng.choice(vocab.SNAPSHOTS)
        intent = {"type": "arm_mixer_scene", "adapter_target": {"kind": "soundcraft_ui24r", "mixer_id": "main"},
                  "target": {"kind": "snapshot", "snapshot_name": snapshot}}
        return _Draft(_pick(rng, vocab.MIXER, loc).format(s=snapshot), intent, ["mixer"], typo_ok=False)
    return _mood_draft(rng, loc, rng.choice([0.9, 0.95, 1.0]))


def _ambiguous(rng: random.Random, loc: str) -> _Draft:
    if rng.random() < 0.5:
        message, mood = _pick(rng, vocab.IMPLICIT_MOODS, loc)
        return _Draft(message, {"type": "change_mood", "mood": mood}, ["mood"])
    return _Draft(_pick(rng, vocab.VAGUE, loc), _blocked("ambiguous_request", loc), [])


def _telegram(rng: random.Random, loc: str) -> _Draft:
    kind = rng.choice(["status", "panic", "approve", "deny", "cancel", "fog", "hazer", "strobe", "mood",
                       "vibe", "lights", "cue", "band", "announce", "message", "vote", "audience_mood"])
    approval_id = f"apr-{rng.randint(1, 99)}"
    d = lambda msg, intent, tags=(), **kw: _Draft(msg, intent, list(tags), typo_ok=False, **kw)  # noqa: E731
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
        if rng.random() < 0.5:
            return d(f"/{kind}", _effect(kind), [kind])
        duration, intensity = float(rng.choice([1, 2, 3, 5, 10])), rng.choice([0.2, 0.35, 0.5, 0.8])
        return d(f"/{kind} {_num(duration)} {_num(intensity)}", _effect(kind, duration, intensity), [kind])
    if kind in ("mood", "vibe"):
        mood = rng.choice(sorted(vocab.MOODS))
        return d(f"/{kind} {mood}", {"type": "change_mood", "mood": mood}, ["mood"])
    if kind in ("lights", "cue"):
        cue = rng.choice(sorted(vocab.CUE_PHRASES))
        return d(f"/{kind} {cue}", {"type": "request_cue", "cue": cue}, ["cue"], cue=cue)
    if kind == "band":
        return d("/band", {"type": "request_cue", "cue": "band_intro"}, ["cue"], cue="band_intro")
    if kind == "announce":
        text = _pick(rng, vocab.ANNOUNCE_TEXTS, loc)
        return d(f"/announce {text}", {"type": "announce", "text": text})
    if kind == "message":
        note = _pick(rng, vocab.NOTES, loc)
        return d(f"/message {note}", {"type": "log_note", "note": note})
    if kind == "vote":
        cue = rng.choice([c.name for c in catalog.CUES if c.section in ("drop", "build")])
        return d(f"/vote {cue}", {"type": "log_note", "note": f"vote {cue}"}, ["audience"],
                 chat_role="audience", user_role="audience")
    mood = rng.choice(["calm", "hype", "festive", "tropical"])
    intensity = rng.choice([0.2, 0.3, 0.4, 0.6])
    return d(f"/mood {mood} {_num(intensity)}", {"type": "change_mood", "mood": mood, "intensity": intensity},
             ["mood", "audience"], chat_role="audience", user_role="audience")


_DRAFTERS = {"safe": _safe, "approval": _approval, "blocked": _blocked_draft,
             "ambiguous": _ambiguous, "telegram": _telegram}


# ---- assembling rows -------------------------------------------------------------------------

def _ago(seconds: int) -> str:
    minute, second = divmod(30 * 60 - seconds, 60)
    return f"2026-05-14T21:{minute:02d}:{second:02d}Z"


_WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")


def _strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _typo(rng: random.Random, message: str) -> tuple[str, bool]:
    """Missing accents and one slip of the thumb, the way messages arrive from a dark booth."""
    changed = message
    if rng.random() < 0.6:
        changed = _strip_accents(changed)
    words = [m for m in _WORD.finditer(changed)]
    if words and rng.random() < 0.7:
        m = rng.choice(words)
        w, i = m.group(0), rng.randrange(1, len(m.group(0)) - 1)
        slip = rng.choice(["swap", "drop", "double"])
        w2 = (w[:i] + w[i + 1] + w[i] + w[i + 2:]) if slip == "swap" else \
             (w[:i] + w[i + 1:]) if slip == "drop" else (w[:i] + w[i] + w[i:])
        changed = changed[:m.start()] + w2 + changed[m.end():]
    if rng.random() < 0.3:
        changed = changed.lower()
    return changed, changed != message


def _subset(rng: random.Random, cue: str | None) -> list[str]:
    names = rng.sample(sorted(catalog.CUE_BY_NAME), 5)
    if cue and cue not in names:
        names[rng.randrange(len(names))] = cue
    return sorted(names)


def _quota(n: int, shares: dict[str, float], rng: random.Random) -> list[str]:
    counts = {k: int(n * v) for k, v in shares.items()}
    for k in sorted(shares, key=lambda k: n * shares[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    items = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(items)
    return items


def _decision(draft: _Draft, inputs: dict[str, Any]) -> str:
    return decide(draft.intent, message=inputs["message"], show_state=inputs["show_state"],
                  cue_catalog_subset=inputs["cue_catalog_subset"], chat_role=inputs["chat_role"],
                  user_role=inputs["user_role"]).decision


def generate_rows(n: int, seed: int = 0) -> list[Row]:
    """``n`` deterministic rows for ``seed``; every 10th row (index 9, 19, ...) is validation."""
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    categories = _quota(n, CATEGORY_SHARES, rng)
    locales = _quota(n, {PT: 0.75, EN: 0.25}, rng)
    rows = []
    for index, (category, loc) in enumerate(zip(categories, locales)):
        draft = _DRAFTERS[category](rng, loc)
        message, typo = draft.message, False
        if loc == PT and draft.typo_ok and rng.random() < 0.35:
            message, typo = _typo(rng, message)
        state = {"current_mood": rng.choice(sorted(vocab.MOODS)), "panic": False,
                 "pending_approvals": draft.pending, "recent_effects": draft.recent, "now": BASE_NOW}
        inputs = {"message": message, "show_state": state, "cue_catalog_subset": _subset(rng, draft.cue),
                  "chat_role": draft.chat_role, "user_role": draft.user_role, "locale": loc}
        intent = intent_to_dict(SHOWINTENT_ADAPTER.validate_python(draft.intent))
        decision = _decision(draft, inputs)
        expected = EXPECTED_DECISION.get(category)
        if expected and decision != expected:
            raise GeneratorBug(f"row {index} ({category}): policy says {decision} for {message!r} -> {intent}")
        tags = [category, loc, *draft.tags] + (["typo"] if typo else [])
        if category == "telegram":
            tags.append("telegram")
        rows.append(Row(inputs, intent, decision, category, tuple(dict.fromkeys(tags)),
                        "validation" if index % 10 == 9 else "train"))
    return rows
