"""Finding the JSON in a model's answer.

Teachers wrap JSON in code fences or a sentence of prose; we tolerate both by trying each
``{`` or ``[`` in order and keeping the first that decodes to a complete JSON value.
"""

from __future__ import annotations

import json
from typing import Any

_decoder = json.JSONDecoder()


class NoJSONFound(ValueError):
    pass


def extract_json(text: str, *, scalar_ok: bool = False) -> Any:
    """Return the first complete JSON object or array in ``text``.

    With ``scalar_ok`` (return types that are a string or a number), the whole stripped text may
    also be a JSON scalar.
    """
    stripped = text.strip()
    for start, ch in enumerate(stripped):
        if ch in "{[":
            try:
                value, _ = _decoder.raw_decode(stripped, start)
                return value
            except json.JSONDecodeError:
                continue
    if scalar_ok:
        body = _strip_fence(stripped)
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            return body
    raise NoJSONFound(f"no JSON object found in the answer ({len(text)} characters)")


def _strip_fence(text: str) -> str:
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON: the form used for hashing and equality."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
