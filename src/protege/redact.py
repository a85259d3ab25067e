"""Redaction: secrets and personal data are masked before anything reaches the store.

Masks keep a short label (``[EMAIL]``, ``[PHONE]``...) so that a model trained on redacted rows
still sees that something was there. Order matters: tokens and keys go before phone numbers,
whose digit runs they contain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # Telegram bot tokens: 8-10 digits, a colon, 35 url-safe characters.
    ("[BOT_TOKEN]", re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")),
    # Provider API keys: sk-/pk-/rk- (OpenAI, Anthropic sk-ant-...), Google AIza, GitHub, Slack, AWS.
    ("[API_KEY]", re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}")),
    ("[API_KEY]", re.compile(r"\bAIza[0-9A-Za-z_-]{30,}")),
    ("[API_KEY]", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("[API_KEY]", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("[API_KEY]", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("[API_KEY]", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{16,}=*")),
    ("[API_KEY]", re.compile(r"(?i)\b(api[_-]?key|secret|password|passwd|token)(\s*[=:]\s*)([^\s,;\"']{6,})")),
    ("[EMAIL]", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    # Phone numbers: an optional +country code, then 8-15 digits with spaces, dots, dashes, parens.
    ("[PHONE]", re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,3}(?![\w.])")),
]


def redact_text(text: str, *, extra_terms: Sequence[str] = ()) -> str:
    """Mask API keys, bot tokens, e-mails, phone numbers and each extra term in ``text``."""
    for label, pattern in _PATTERNS:
        if label == "[API_KEY]" and pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{label}", text)
        elif label == "[PHONE]":
            text = pattern.sub(lambda m: label if _looks_like_phone(m) else m.group(0), text)
        else:
            text = pattern.sub(label, text)
    for term in extra_terms:
        if term.strip():
            text = re.sub(re.escape(term.strip()), "[REDACTED]", text, flags=re.IGNORECASE)
    return text


def redact_value(value: Any, *, extra_terms: Sequence[str] = ()) -> Any:
    """Redact every string inside a JSON-like value (dict keys are left alone)."""
    if isinstance(value, str):
        return redact_text(value, extra_terms=extra_terms)
    if isinstance(value, dict):
        return {k: redact_value(v, extra_terms=extra_terms) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v, extra_terms=extra_terms) for v in value]
    return value


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _looks_like_phone(match: re.Match[str]) -> bool:
    """Digit runs that are dates, or bare JSON numbers (``"now": 1732390000``), are not phones."""
    found = match.group(0)
    if sum(ch.isdigit() for ch in found) < 8 or _DATE.fullmatch(found):
        return False
    before = match.string[: match.start()].rstrip()
    return not (found.isdigit() and before.endswith((":", "[", ",")))
