"""Deterministic synthetic training rows for the ShowIntent call site.

``generate_rows(n, seed)`` draws operator messages in five categories (safe, approval, blocked,
ambiguous, telegram at 40/25/20/10/5 %), three of four in pt-BR, with typos and missing accents.
Each row carries the canonical expected intent — short on purpose: optional fields appear only
when the message says them, because a 135M student must learn them and answer length is latency —
and the policy's decision for it. The label is never hand-set: the policy computes it, and a row
whose category disagrees with the policy raises, because that is a generator bug. A message that
says a locked eval case word for word is drawn again: the locked set is never training data.

Breadth is the point: a small student trained on two phrasings per value memorises strings, so
every value is drawn from many phrasings (``vocab``, ``vocab_extra``; ``deal=True`` says each
phrasing of a list once before any twice), numbers are said many ways and always land verbatim in
the intent, and messages are wrapped in the fillers crews type.
``drafts`` writes each category's message and intent; this module adds fillers, typos and the
show state, and on request swaps some cue and mood requests for hand-written ones (``written``).
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from typing import Any

from protege.apps.showintent import catalog, vocab, written
from protege.apps.showintent import phrasing as ph
from protege.apps.showintent import vocab_extra as vx
from protege.apps.showintent.drafts import BASE_NOW, DRAFTERS, Draft
from protege.apps.showintent.metrics import load_locked_eval
from protege.apps.showintent.phrasing import EN, PT
from protege.apps.showintent.policy import decide
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER, intent_to_dict

CATEGORY_SHARES = {"safe": 0.40, "approval": 0.25, "blocked": 0.20, "ambiguous": 0.10, "telegram": 0.05}
EXPECTED_DECISION = {"safe": "allow", "approval": "require_approval", "blocked": "block"}


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


def _with_fillers(rng: random.Random, loc: str, draft: Draft) -> str:
    """Politeness and call-outs around the request ("ô IA, ... pfv"); never inside verbatim text."""
    message = draft.message
    if draft.fillers == "none" or message.startswith("/"):
        return message
    if rng.random() < 0.25:
        message = ph.pick(rng, vx.FILLER_PREFIXES, loc) + message
    if draft.fillers == "both" and rng.random() < 0.3:
        message += ph.pick(rng, vx.FILLER_SUFFIXES, loc)
    if rng.random() < 0.25 and not re.match(r"\S*\d", message):  # ids ("apr-141") stay as they are
        message = message[0].upper() + message[1:]
    return message


def _subset(rng: random.Random, cue: str | None, asks_cue: bool = False) -> list[str]:
    """What the operator's screen offers: the asked-for cue, often beside its section's look-alikes.
    Screens often offer no cues at all; a message that asks for none then comes with none."""
    if not cue and not asks_cue and rng.random() < 0.6:
        return []
    chosen = [cue] if cue else []
    if cue in catalog.CUE_BY_NAME and rng.random() < 0.5:
        section = catalog.CUE_BY_NAME[cue].section
        peers = [c.name for c in catalog.CUES if c.section == section and c.name != cue]
        chosen += rng.sample(peers, min(len(peers), rng.randint(1, 3)))
    rest = [name for name in sorted(catalog.CUE_BY_NAME) if name not in chosen]
    chosen += rng.sample(rest, max(0, rng.randint(4, 8) - len(chosen)))
    return sorted(chosen)


def _quota(n: int, shares: dict[str, float], rng: random.Random) -> list[str]:
    counts = {k: int(n * v) for k, v in shares.items()}
    for k in sorted(shares, key=lambda k: n * shares[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
        counts[k] += 1
    items = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(items)
    return items


def _decision(draft: Draft, inputs: dict[str, Any]) -> str:
    return decide(draft.intent, message=inputs["message"], show_state=inputs["show_state"],
                  cue_catalog_subset=inputs["cue_catalog_subset"], chat_role=inputs["chat_role"],
                  user_role=inputs["user_role"]).decision


_REDRAWS = 20


@functools.cache
def _locked_messages() -> frozenset[str]:
    """The locked eval's messages, casefolded, that training must never say: every one but the
    fixed-syntax Telegram commands and the spec's own example, which any crew types the same way."""
    said = (case.input.casefold() for case in load_locked_eval())
    return frozenset(m for m in said if not m.startswith("/") and m != "blackout total agora")


def _message(rng: random.Random, category: str, loc: str, swap_seed: str, written_share: float) -> tuple[Draft, str, str]:
    """One draft of ``category`` and its message, clean and as typed (a slip of the keys, sometimes)."""
    draft = DRAFTERS[category](rng, loc)
    if written_share and category in ("safe", "approval"):
        draft = written.swap(random.Random(swap_seed), draft, loc, written_share)
    clean = _with_fillers(rng, loc, draft)
    typed = ph.typo(rng, clean)[0] if loc == PT and draft.typo_ok and rng.random() < 0.35 else clean
    return draft, clean, typed


def generate_rows(n: int, seed: int = 0, written_share: float = 0.0, deal: bool = False) -> list[Row]:
    """``n`` deterministic rows for ``seed``; every 10th row (index 9, 19, ...) is validation.
    ``written_share`` of the operator's cue and mood requests in prose become hand-written messages
    (``written``; off by default: see bench/bases.md, session 11). ``deal`` deals every choice
    (``phrasing.Dealer``) instead of drawing it independently: more of the vocabulary in as many
    rows; with it Qwen mapped the most cues of any run (session 14, two cases of which were helped by
    near-copies of locked cases removed in session 15), while SmolLM2 moved within its seed-to-seed
    spread (bench/bases.md), so it is off by default and the main job trains as before."""
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = ph.Dealer(seed) if deal else random.Random(seed)
    categories = _quota(n, CATEGORY_SHARES, rng)
    locales = _quota(n, {PT: 0.75, EN: 0.25}, rng)
    rows = []
    for index, (category, loc) in enumerate(zip(categories, locales)):
        for attempt in range(_REDRAWS):  # a message that says a locked case word for word is drawn again
            draft, clean, message = _message(rng, category, loc, f"{seed}:{index}" + f":{attempt}" * bool(attempt),
                                             written_share)
            if not {clean.casefold(), message.casefold()} & _locked_messages():
                break
        else:
            raise GeneratorBug(f"row {index} ({category}): {_REDRAWS} draws in a row said locked cases")
        typo = message != clean
        state = {"current_mood": rng.choice(sorted(vocab.MOODS)), "panic": draft.panic,
                 "pending_approvals": draft.pending, "recent_effects": draft.recent, "now": BASE_NOW}
        inputs = {"message": message, "show_state": state, "cue_catalog_subset": _subset(rng, draft.cue, asks_cue="cue" in draft.tags),
                  "chat_role": draft.chat_role, "user_role": draft.user_role, "locale": loc}
        intent = intent_to_dict(SHOWINTENT_ADAPTER.validate_python(draft.intent))
        decision = _decision(draft, inputs)
        expected = EXPECTED_DECISION.get(category)
        if typo and expected and decision != expected:  # the slip spelled a hazard ("storm" -> "strom", read as strobe)
            message, typo = clean, False
            inputs["message"] = message
            decision = _decision(draft, inputs)
        if expected and decision != expected:
            raise GeneratorBug(f"row {index} ({category}): policy says {decision} for {message!r} -> {intent}")
        tags = [category, loc, *draft.tags] + (["typo"] if typo else [])
        if category == "telegram":
            tags.append("telegram")
        rows.append(Row(inputs, intent, decision, category, tuple(dict.fromkeys(tags)),
                        "validation" if index % 10 == 9 else "train"))
    return rows
