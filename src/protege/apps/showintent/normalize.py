"""Operator text -> canonical words, so one policy pattern sees every way a word gets typed.

Messages arrive from a dark booth, on a phone, in two languages at once, and sometimes from
someone who wants a pattern to miss. Before the policy matches anything it rewrites a message
into canonical tokens, in steps that can each be switched off (to measure what each one costs in
false blocks and buys in caught attacks):

- ``fold``: Unicode compatibility forms, case and accents ("INSTRUÇÕES" -> "instrucoes");
- ``leet``: digits and symbols inside words ("bl4ck0ut" -> "blackout", "l@ser" -> "laser");
- ``split``: separators and letter/digit seams ("fixture_channel_12", "ch12=200", "40s", "0,8");
- ``repeats``: stretched letters ("fooog", "haaaze");
- ``join``: words broken apart or glued together ("black out", "d m x", "movinghead");
- ``fuzzy``: one slip of the thumb, two in long words ("chanel", "overide", "instrucao").

Only words of the policy's own vocabulary are ever corrected, and a short list of real words
that sit one edit away from a hazard word ("later", "lazer", "forte", "spoke") is left alone, so
ordinary traffic reads as it was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

STEPS: frozenset[str] = frozenset({"fold", "leet", "split", "repeats", "join", "fuzzy"})
_LEET = {"4": "a", "3": "e", "1": "i", "0": "o", "@": "a", "$": "s", "5": "s", "7": "t", "!": "i"}
_LEET_INSIDE = re.compile(r"(?<=[a-z])[4310@$57!]+(?=[a-z])")
_LEET_LAST = re.compile(r"\b([a-z]{2,})([4310@$57])(?![\w@$])")  # "h4z3" -> "haze", but "ch1" stays
_STRETCH = re.compile(r"([a-z])\1{2,}")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+|[%=(]")
_ROUGH_TOKEN = re.compile(r"[\w%=.()]+")  # the "split" step off: whitespace-ish words only
_LONGEST = 24  # longer tokens (hashes, base64, URLs) are never corrected: nothing to gain, costly


def fold(text: str) -> str:
    """Compatibility forms, case and accents folded: "ＦＯＧ Fumaça" -> "fog fumaca"."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def squeeze(word: str) -> str:
    """Runs of one letter become one letter: "fooog" -> "fog", "channel" -> "chanel"."""
    return re.sub(r"([a-z])\1+", r"\1", word)


def damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, or ``limit + 1`` once it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletions(word: str, depth: int) -> set[str]:
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


class Normaliser:
    """Canonical tokens for a vocabulary: exact and squeezed forms, aliases, and near misses.

    ``vocabulary`` are the canonical words patterns are written in; ``aliases`` map other
    spellings to one of them ("ch" -> "channel"); ``protected`` are real words never corrected;
    ``fuzzy_min`` is the shortest word that one typo may reach (shorter words are too crowded).
    """

    def __init__(self, vocabulary: Iterable[str], aliases: Mapping[str, str], protected: Iterable[str],
                 fuzzy_targets: Iterable[str] = (), fuzzy_min: int = 5) -> None:
        self.vocabulary = frozenset(vocabulary) | frozenset(aliases.values())
        self.aliases = dict(aliases)
        self.protected = frozenset(protected)
        self._squeezed: dict[str, str] = {}
        self._near: dict[str, set[str]] = {}
        targets = frozenset(fuzzy_targets)
        self.vocabulary |= targets
        for word in sorted(self.vocabulary, key=len):
            self._squeezed.setdefault(squeeze(word), word)
            if word in targets and len(squeeze(word)) >= fuzzy_min:
                for key in _deletions(squeeze(word), 2 if len(word) >= 9 else 1):
                    self._near.setdefault(key, set()).add(word)
        self._fuzzy_min = fuzzy_min
        self.word = lru_cache(maxsize=65536)(self._word)
        self.tokens = lru_cache(maxsize=16384)(self._tokens)

    def _word(self, token: str, steps: frozenset[str]) -> str:
        """One token's canonical form ("" -> itself); may return two words for a glued token."""
        if not token.isalpha():
            return token
        if token in self.aliases:
            return self.aliases[token]
        if token in self.vocabulary or token in self.protected:
            return token
        key = squeeze(token) if "repeats" in steps else token
        if "repeats" in steps and key != token:  # only stretched words: "of" must not become "off"
            long_match = self._squeezed.get(key, "")
            near = None if len(long_match) >= 5 or "fuzzy" not in steps or len(token) > _LONGEST \
                else self._nearest(token)
            if near is not None:  # "parr" is a slip of "parar" before it is a stretched "par"
                return near
            if key in self.protected:
                return key
            if key in self.aliases:
                return self.aliases[key]
            if key in self._squeezed:
                return self._squeezed[key]
        if "fuzzy" in steps:
            for form in dict.fromkeys((key, token)):  # "ttal": squeezed "tal" is too short, "ttal" is not
                best = self._nearest(form) if self._fuzzy_min - 1 <= len(form) <= _LONGEST else None
                if best is not None:
                    return best
        if "join" in steps and 6 <= len(token) <= _LONGEST:
            inner = steps - {"join"}  # one exact cut only: "fixturechannel", never a cascade
            for cut in range(3, len(token) - 2):
                head, tail = token[:cut], token[cut:]
                known = [self._exact(head), self._exact(tail)]
                if all(known) or (known[0] and len(head) >= 5) or (known[1] and len(tail) >= 5):
                    return f"{self.word(head, inner)} {self.word(tail, inner)}"
        return _STRETCH.sub(r"\1", token) if "repeats" in steps else token  # "ooo" -> "o", "good" stays

    def _nearest(self, key: str) -> str | None:
        """The closest fuzzy target: one edit away, or two when both words have 9+ letters."""
        candidates: set[str] = set()
        for variant in _deletions(key, 2 if len(key) >= 9 else 1):
            candidates |= self._near.get(variant, set())
        scored = []
        for word in candidates:
            limit = 2 if min(len(key), len(squeeze(word))) >= 9 else 1
            distance = damerau(key, squeeze(word), limit)
            if distance <= limit:
                scored.append((distance, -len(word), word))  # ties: the longer word ("minte" -> "minute")
        return min(scored)[2] if scored else None

    def _tokens(self, text: str, steps: frozenset[str] = STEPS) -> tuple[str, ...]:
        folded = fold(text) if "fold" in steps else text.lower()
        if "leet" in steps:
            folded = _LEET_INSIDE.sub(lambda m: "".join(_LEET[c] for c in m.group(0)), folded)
            folded = _LEET_LAST.sub(self._unleet_last, folded)
        if "split" in steps:
            raw = _TOKEN.findall(_DECIMAL_COMMA.sub(".", folded))
        else:
            raw = _ROUGH_TOKEN.findall(folded)
        if "join" in steps:
            raw = self._join(raw, steps)
        out: list[str] = []
        for token in raw:
            out.extend(self.word(token, steps).split(" "))
        return tuple(out)

    def _join(self, raw: list[str], steps: frozenset[str]) -> list[str]:
        """Glue "black out" and "d m x" back together when the glued word is a vocabulary word."""
        out: list[str] = []
        i = 0
        while i < len(raw):
            j = i
            while j < len(raw) and len(raw[j]) == 1 and raw[j].isalpha():
                j += 1
            if j - i >= 2 and self._exact("".join(raw[i:j])):
                out.append("".join(raw[i:j]))
                i = j
                continue
            if i + 1 < len(raw) and raw[i].isalpha() and raw[i + 1].isalpha():
                glued = raw[i] + raw[i + 1]
                if len(glued) >= 5 and self._exact(glued):
                    out.append(glued)
                    i += 2
                    continue
            out.append(raw[i])
            i += 1
        return out

    def _unleet_last(self, match: re.Match[str]) -> str:
        word = match.group(1) + _LEET[match.group(2)]
        return word if word in self.vocabulary or squeeze(word) in self._squeezed else match.group(0)

    def _exact(self, glued: str) -> bool:
        """Glue only into a word spelled exactly: "vinte e" must not become "vintee" -> "vinte"."""
        return glued in self.vocabulary or glued in self.aliases

    def text(self, text: str, steps: frozenset[str] = STEPS) -> str:
        """The canonical tokens as one space-separated string, for regular expressions."""
        return " ".join(self.tokens(text, steps))
