"""The game's types, as the Jac byLLM RPG declares them (see shared/specs/rpg.md).

Two forms of ``Level`` exist in the wild: the current one (``name: str``, ``time_countdown``,
``n_retries_allowed``) and an older one (``name: int``, ``time``) that the last Jac version of the
game used and that real GPT-4o-class teacher maps carry. ``Map.level`` accepts both; which form a
level is in is decided by its keys, so a parse error names the fields of that form only.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Discriminator, Tag


class Position(BaseModel):
    x: int
    y: int


class Wall(BaseModel):
    """A straight run of wall cells from ``start_pos`` to ``end_pos``, both included."""

    start_pos: Position
    end_pos: Position


class Level(BaseModel):
    name: str
    difficulty: int
    width: int
    height: int
    num_wall: int
    num_enemies: int
    time_countdown: int
    n_retries_allowed: int


class LegacyLevel(BaseModel):
    """The older form of a level: a numeric name and ``time`` instead of ``time_countdown``
    and ``n_retries_allowed``."""

    name: int
    difficulty: int
    width: int
    height: int
    num_wall: int
    num_enemies: int
    time: int


def _level_form(value: Any) -> str:
    if isinstance(value, dict):
        return "legacy" if "time" in value and "time_countdown" not in value else "current"
    return "legacy" if isinstance(value, LegacyLevel) else "current"


AnyLevel = Annotated[
    Annotated[Level, Tag("current")] | Annotated[LegacyLevel, Tag("legacy")],
    Discriminator(_level_form),
]
"""Either form of a level."""


class Map(BaseModel):
    level: AnyLevel
    walls: list[Wall]
    small_obstacles: list[Position]
    enemies: list[Position]
    player_pos: Position


MapTiles = Map
"""The name the last Jac version of the game gave the map type."""


def time_limit(level: Level | LegacyLevel) -> int:
    """The level's time, whichever form it is in."""
    return level.time if isinstance(level, LegacyLevel) else level.time_countdown


def wall_cells(wall: Wall, width: int | None = None, height: int | None = None) -> list[tuple[int, int]]:
    """Every (x, y) cell a wall covers, both ends included, in whichever order they are given;
    with ``width`` and ``height``, only its cells inside the map (a wall a model sent a million
    cells long costs nothing). A wall that is not straight covers the rectangle between its ends,
    as the game draws it."""
    x0, x1 = sorted((wall.start_pos.x, wall.end_pos.x))
    y0, y1 = sorted((wall.start_pos.y, wall.end_pos.y))
    if width is not None and height is not None:
        x0, x1, y0, y1 = max(x0, 0), min(x1, width - 1), max(y0, 0), min(y1, height - 1)
    return [(x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]
