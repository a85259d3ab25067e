"""What a student may decode for one call, where the call's inputs fix part of the answer.

protege calls these with the site's schema and the call's JSON inputs (``decode_for``) and
constrains the student's tokens to the result; every answer is still validated against the
output schema and judged by every rule. They only narrow what the rules would accept anyway:

- a level: the asked width and height, a difficulty not under the asked one, and nothing easier
  than the previous levels (walls, enemies, time), as ``as_requested`` and
  ``difficulty_progression`` require; counts no larger than the map has room for;
- a map: the level it was asked for, repeated as it is; exactly ``num_wall`` walls and
  ``num_enemies`` enemies; every coordinate inside the grid; and each wall straight, by letting
  its end differ from its start in one coordinate only.

What the schema cannot say (an enemy on a wall, a cell nobody can reach) is left to the rules
and to resampling.
"""

from __future__ import annotations

import copy
from typing import Any

from protege.apps.rpg.procedural import enemy_cap, wall_cap


def _axis(limit: int) -> dict:
    return {"type": "integer", "minimum": 0, "maximum": max(0, limit - 1)}


def _position(width: int, height: int) -> dict:
    return {"type": "object", "properties": {"x": _axis(width), "y": _axis(height)},
            "required": ["x", "y"], "additionalProperties": False}


def _straight_wall(width: int, height: int) -> dict:
    """A wall whose ends share x (vertical) or y (horizontal): one branch per column and row."""
    def ends(x: dict, y: dict) -> dict:
        point = {"type": "object", "properties": {"x": x, "y": y}, "required": ["x", "y"], "additionalProperties": False}
        return {"type": "object", "properties": {"start_pos": point, "end_pos": point},
                "required": ["start_pos", "end_pos"], "additionalProperties": False}

    vertical = [ends({"const": x}, _axis(height)) for x in range(width)]
    horizontal = [ends(_axis(width), {"const": y}) for y in range(height)]
    return {"anyOf": vertical + horizontal}


def _exactly(item: dict, n: int) -> dict:
    return {"type": "array", "items": item, "minItems": n, "maxItems": n}


def map_schema_for(schema: dict, inputs: dict) -> dict:
    """The map schema for ``inputs["level"]``; the site's own schema when the level is unusable."""
    level = inputs.get("level") if isinstance(inputs, dict) else None
    try:
        width, height = int(level["width"]), int(level["height"])
        walls, enemies = int(level["num_wall"]), int(level["num_enemies"])
    except (TypeError, KeyError, ValueError):
        return schema
    if not (1 <= width <= 200 and 1 <= height <= 200 and 0 <= walls <= 400 and 0 <= enemies < width * height):
        return schema
    position = _position(width, height)
    return {
        "type": "object",
        "properties": {
            "level": {"type": "object", "properties": {k: {"const": v} for k, v in level.items()},
                      "required": list(level), "additionalProperties": False},
            "walls": _exactly(_straight_wall(width, height), walls),
            "small_obstacles": {"type": "array", "items": position, "maxItems": max(0, width * height // 20)},
            "enemies": _exactly(position, enemies),
            "player_pos": position,
        },
        "required": ["level", "walls", "small_obstacles", "enemies", "player_pos"],
        "additionalProperties": False,
    }


def level_schema_for(schema: dict, inputs: dict) -> dict:
    """The level schema for the asked size and difficulty after ``inputs["last_levels"]``."""
    try:
        width, height, difficulty = (int(inputs[k]) for k in ("level_width", "level_height", "difficulty"))
        previous = [dict(lv) for lv in inputs.get("last_levels") or []]
        floor = {k: max([int(lv.get(k, 0)) for lv in previous] + [0]) for k in ("difficulty", "num_wall", "num_enemies")}
        times = [int(lv.get("time_countdown", lv.get("time", 0))) for lv in previous]
    except (TypeError, KeyError, ValueError, AttributeError):
        return schema
    if not (2 <= width <= 200 and 2 <= height <= 200):
        return schema
    narrowed = copy.deepcopy(schema)
    props = narrowed.get("properties", {})
    bounds: dict[str, dict[str, Any]] = {
        "width": {"const": width},
        "height": {"const": height},
        "difficulty": {"minimum": max(difficulty, floor["difficulty"], 1)},
        "num_wall": {"minimum": floor["num_wall"], "maximum": max(floor["num_wall"], wall_cap(width, height))},
        "num_enemies": {"minimum": floor["num_enemies"],
                        "maximum": max(floor["num_enemies"], min(enemy_cap(width, height), width * height - 1))},
        "time_countdown": {"minimum": 1, **({"maximum": max(1, min(times))} if times else {})},
        "n_retries_allowed": {"minimum": 0},
    }
    for name, bound in bounds.items():
        if name in props:
            props[name] = {"type": "integer", **bound} if "const" not in bound else bound
    return narrowed
