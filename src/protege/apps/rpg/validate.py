"""Checking a file of maps, line by line, without ever stopping on a bad line.

Each line is judged alone for its shape and the map rules; its level is also compared with the
levels of the (up to three) well-formed lines before it, as the game keeps them. A line that is
not JSON, or not a Map, is that line's failure (rule ``json`` or ``shape``), with a message that
says what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pydantic

from protege.apps.rpg.game import KEEP_LEVELS
from protege.apps.rpg.rules import Failure, check_level, check_map
from protege.apps.rpg.schema import Map


def parse_map(line: str) -> tuple[Map | None, Failure | None]:
    """A Map from one JSON line, or the failure that says why not."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, Failure("json", f"not JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(value, dict):
        return None, Failure("shape", f"expected a Map object, got a JSON {type(value).__name__}")
    try:
        return Map.model_validate(value), None
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        parts = [f"{'.'.join(str(x) for x in e['loc']) or '(root)'}: {e['msg']}" for e in errors[:5]]
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        return None, Failure("shape", "not a Map: " + "; ".join(parts) + more)


def validate_lines(lines: Iterable[str], *, progression: bool = True) -> list[dict]:
    """``{"index", "valid", "failures": [{"rule", "detail"}]}`` for each non-blank line."""
    results, previous = [], []
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        level_map, broken = parse_map(line)
        if broken is not None:
            failures = [broken]
        else:
            failures = check_map(level_map) + check_level(level_map.level, previous=previous if progression else ())
            previous = (previous + [level_map.level])[-KEEP_LEVELS:]
        results.append({"index": index, "valid": not failures, "failures": [f.as_dict() for f in failures]})
    return results
