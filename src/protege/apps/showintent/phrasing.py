"""How the ShowIntent generator says things: values, numbers and slips in pt-BR and en.

Every vocabulary table is a ``(pt, en)`` pair; :func:`pick` draws from the side of a locale.
Numbers are said many ways (digits, words, percent, "no talo") and always land verbatim in the
intent, so the student learns to read them instead of guessing. :func:`typo` is the dark booth:
missing accents and one slip of the thumb, never inside a number word.

Each function takes the generator's ``random.Random`` and draws from it in a fixed order: the same
seed gives the same rows.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

from protege.apps.showintent import vocab
from protege.apps.showintent import vocab_extra as vx

PT, EN = "pt-BR", "en"


class Dealer(random.Random):
    """Seeded randomness whose ``choice`` deals from shuffled decks: every option of a list comes
    up once before any comes up twice. Drawn independently, the demo's 2,000 rows say 144 of the
    300 mood phrasings and actions; dealt, 188. Same seed, same rows."""

    def __init__(self, seed: Any = None) -> None:
        self._decks: dict[tuple, list] = {}
        super().__init__(seed)

    def choice(self, seq):  # type: ignore[override]
        options = tuple(seq)
        try:
            deck = self._decks.setdefault(options, [])
        except TypeError:  # options that cannot be a key (dicts) are drawn as usual
            return super().choice(seq)
        if not deck:
            deck.extend(range(len(options)))
            self.shuffle(deck)
        return options[deck.pop()]


def of(pair: tuple[Any, Any], loc: str) -> Any:
    """The side of a ``(pt, en)`` table for ``loc``."""
    return pair[0] if loc == PT else pair[1]


def pick(rng: random.Random, pair: tuple[Any, Any], loc: str) -> Any:
    return rng.choice(of(pair, loc))


def num(value: float) -> str:
    return f"{value:g}"


_CONTRACTED = {"o": ("pro", "no", "do"), "a": ("pra", "na", "da"), "os": ("pros", "nos", "dos"),
               "as": ("pras", "nas", "das")}


def forms(phrase: str, loc: str) -> dict[str, str]:
    """Template slots for a phrase; Portuguese contracts the article ("para o túnel" -> "pro túnel")."""
    if loc == EN:
        return dict.fromkeys(("c", "c0", "pro", "no", "do"), phrase)
    article, _, bare = phrase.partition(" ")
    if article not in _CONTRACTED or not bare:
        article, bare = "o", phrase
    pro, no, do = _CONTRACTED[article]
    return {"c": f"{article} {bare}", "c0": bare, "pro": f"{pro} {bare}", "no": f"{no} {bare}", "do": f"{do} {bare}"}


def append(message: str, extra: str, sep: str = " ") -> str:
    """Add a trailing phrase, keeping a final question mark at the very end."""
    if message.endswith("?"):
        return f"{message[:-1]}{sep}{extra}?"
    return f"{message}{sep}{extra}"


def say_intensity(rng: random.Random, loc: str, value: float) -> str:
    if value >= 1 and rng.random() < 0.6:
        return pick(rng, vocab.INTENSITY_MAX, loc)
    percent = round(value * 100)
    words = of(vocab.PERCENT_WORDS, loc)
    forms = list(of(vocab.INTENSITY_FORMS, loc)) + (list(of(vocab.INTENSITY_WORD_FORMS, loc)) if percent in words else [])
    form = rng.choice(forms)
    decimal = "1.0" if value >= 1 and form.startswith("{v}") else num(value)  # "1 intensity" reads as 1 s
    return form.format(p=percent, v=decimal, vc=decimal.replace(".", ","),
                       w=words.get(percent, ""), t=percent // 10)


def say_duration(rng: random.Random, loc: str, seconds: float) -> str:
    if seconds == 1:
        return pick(rng, vx.DURATION_ONE, loc)
    if seconds == 60:
        return pick(rng, vx.DURATION_MINUTE, loc)
    if seconds == 30 and rng.random() < 0.4:
        return pick(rng, vx.DURATION_HALF_MINUTE, loc)
    words = of(vocab.NUMBER_WORDS, loc)
    forms = [f for f in of(vx.DURATION_FORMS, loc) if "{w}" not in f or seconds in words]
    said = num(seconds) if loc == EN else num(seconds).replace(".", ",")
    return rng.choice(forms).format(d=said, w=words.get(seconds, ""))


_WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


# a slip inside a number word would make the label unlearnable ("trrinta" is not a number)
_NUMBER_WORDS = {strip_accents(part) for table in (*vocab.PERCENT_WORDS, *vocab.NUMBER_WORDS)
                 for said in table.values() for part in said.split()}


def typo(rng: random.Random, message: str) -> tuple[str, bool]:
    """Missing accents and one slip of the thumb, the way messages arrive from a dark booth."""
    changed = message
    if rng.random() < 0.6:
        changed = strip_accents(changed)
    words = [m for m in _WORD.finditer(changed) if strip_accents(m.group(0).lower()) not in _NUMBER_WORDS]
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
