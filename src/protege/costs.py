"""Teacher prices, and what serving from the student saved.

Prices are USD per million tokens (input, output). The built-in table covers common hosted
teachers; ``PROTEGE_PRICES`` (a JSON object ``{"model": [in, out]}``) or
``protege.configure(extra={"prices": {...}})`` adds or overrides entries. Local teachers cost 0.
"""

from __future__ import annotations

import json
import os

from protege.config import settings

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-sonnet-4": (3.00, 15.00),
    "gemini-2.0-flash": (0.10, 0.40),
}


def price_table() -> dict[str, tuple[float, float]]:
    table = dict(PRICES_PER_MILLION)
    if os.environ.get("PROTEGE_PRICES"):
        table.update({k: tuple(v) for k, v in json.loads(os.environ["PROTEGE_PRICES"]).items()})
    table.update({k: tuple(v) for k, v in settings().extra.get("prices", {}).items()})
    return table


def estimate_cost(model: str | None, tokens_in: int | None, tokens_out: int | None) -> float | None:
    """USD for one teacher call, or None when the model's price or the token counts are unknown."""
    if not model or tokens_in is None or tokens_out is None:
        return None
    table = price_table()
    name = model.split(":", 1)[-1]
    price = table.get(model) or table.get(name) or next(  # dated releases: gpt-4o-mini-2024-07-18
        (table[key] for key in sorted(table, key=len, reverse=True) if name.startswith(key + "-")), None
    )
    if price is None:
        return None
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000
