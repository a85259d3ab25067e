"""Whole operator messages written by hand, one per line, each with the intent it means.

The generator builds cue and mood requests from tables of phrases and templates; crews also ask
indirectly ("the one where the screen cracks", "send them home warm"), and a template cannot
produce that. ``data/operator_phrasings.jsonl`` holds such messages, written for training
without sight of the locked eval set; tests check that none is close to a locked case and that
the policy decides each as the generator's category expects. Labels follow the generator's
conventions: a timing only when the message names one (a bare "agora"/"now" is filler), an
intensity only when it says a level.

Off by default (``generate_rows(written_share=0)``): measured side by side on the demo's rows,
swapping half of the requests for these made SmolLM2 map fewer cues and map described unknown
looks to real cues, and moved Qwen's cue mapping by two cases (bench/bases.md, session 11).
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from protege.apps.showintent import vocab
from protege.apps.showintent.drafts import REQUESTABLE_CUES, Draft
from protege.apps.showintent.phrasing import EN, PT
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER, intent_to_dict

PATH = Path(__file__).parent / "data" / "operator_phrasings.jsonl"
_FIELD = {"request_cue": "cue", "change_mood": "mood"}
_VALUES = {"request_cue": REQUESTABLE_CUES, "change_mood": frozenset(vocab.MOODS)}


def _key(intent: dict[str, Any]) -> tuple[str, str]:
    """("request_cue", cue name) or ("change_mood", mood name)."""
    return intent["type"], intent[_FIELD[intent["type"]]]


@dataclass(frozen=True)
class Written:
    locale: str
    message: str
    intent: dict[str, Any]


def load(path: Path = PATH) -> list[Written]:
    """Every line of the file, each intent checked by the schema and its value by the catalog and
    the mood table; a bad line raises ValueError naming it."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            intent = intent_to_dict(SHOWINTENT_ADAPTER.validate_python(raw["intent"]))
            if intent["type"] not in _FIELD or _key(intent)[1] not in _VALUES[intent["type"]]:
                raise ValueError(f"want a request_cue for a catalog cue or a change_mood for a known mood, got {intent}")
            if raw["locale"] not in (PT, EN) or not isinstance(raw["message"], str) or not raw["message"].strip():
                raise ValueError("want locale pt-BR or en and a message")
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {number}: {exc}") from exc
        rows.append(Written(raw["locale"], raw["message"].strip(), intent))
    return rows


@functools.cache
def _pools() -> dict[tuple[str, tuple[str, str]], list[Written]]:
    pools: dict[tuple[str, tuple[str, str]], list[Written]] = {}
    for row in load():
        pools.setdefault((row.locale, _key(row.intent)), []).append(row)
    return pools


def swap(rng: random.Random, draft: Draft, loc: str, share: float) -> Draft:
    """``draft`` or, for ``share`` of the operator's cue and mood requests in prose, a written message
    for the same cue or mood with the written intent (which carries a timing or an intensity only
    when the message says one). ``rng`` is a stream of the row's own, so the swap's own draws
    never shift the generator's stream."""
    intent = draft.intent
    if intent["type"] not in _FIELD or draft.chat_role != "operator" or draft.message.startswith("/"):
        return draft
    pool = _pools().get((loc, _key(intent)))
    if not pool or rng.random() >= share:
        return draft
    chosen = rng.choice(pool)
    return replace(draft, message=chosen.message, intent=dict(chosen.intent), tags=[_FIELD[intent["type"]], "written"])
