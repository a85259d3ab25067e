"""The game's level manager, and a loop that plays it through the router.

``LevelManager.get_next_level`` is the game's flow: one level further, ``create_next_level`` given
the last three levels at most, then ``create_next_map``, and the difficulty one higher after every
second level. It notes who answered each call (``protege.last_call``); :func:`play` runs it
for a number of levels and judges each level and map with every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from protege.apps.rpg.render import render_map
from protege.apps.rpg.rules import Failure, check_level, check_map
from protege.apps.rpg.schema import Level, Map

KEEP_LEVELS = 3
LEVELS_PER_DIFFICULTY = 2
GAME_WIDTH = GAME_HEIGHT = 20


@dataclass
class LevelManager:
    current_level: int = 0
    current_difficulty: int = 1
    prev_levels: list[Level] = field(default_factory=list)
    prev_level_maps: list[Map] = field(default_factory=list)
    width: int = GAME_WIDTH
    height: int = GAME_HEIGHT
    next_level: Callable[..., Level] | None = None
    """What answers ``create_next_level`` (default: the call site)."""
    next_map: Callable[..., Map] | None = None
    """What answers ``create_next_map`` (default: the call site)."""
    answered: list[dict] = field(default_factory=list)
    """Who answered each call of the latest level: the router's ``last_call()`` after it."""

    def get_next_level(self) -> tuple[Level, Map]:
        from protege.apps.rpg.callsite import create_next_level, create_next_map

        self.current_level += 1
        self.answered = []
        level = self._ask(self.next_level or create_next_level, last_levels=list(self.prev_levels),
                          difficulty=self.current_difficulty, level_width=self.width, level_height=self.height)
        level_map = self._ask(self.next_map or create_next_map, level=level)
        self.prev_levels = (self.prev_levels + [level])[-KEEP_LEVELS:]
        self.prev_level_maps = (self.prev_level_maps + [level_map])[-KEEP_LEVELS:]
        if self.current_level % LEVELS_PER_DIFFICULTY == 0:
            self.current_difficulty += 1
        return level, level_map

    def _ask(self, fn: Callable, **args: Any) -> Any:
        import protege

        try:
            return fn(**args)
        finally:
            self.answered.append(protege.last_call())


@dataclass
class PlayedLevel:
    number: int
    asked_difficulty: int
    level: Level | None
    level_map: Map | None
    answered: list[dict]
    """Who answered the level call, then the map call."""
    failures: list[Failure]
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None and not self.failures

    def as_dict(self) -> dict[str, Any]:
        calls = dict(zip(("level_call", "map_call"), self.answered))
        return {
            "number": self.number, "asked_difficulty": self.asked_difficulty, "valid": self.valid,
            "level": self.level.model_dump(mode="json") if self.level else None,
            "map": self.level_map.model_dump(mode="json") if self.level_map else None,
            "ascii": render_map(self.level_map) if self.level_map else None,
            "level_call": calls.get("level_call"), "map_call": calls.get("map_call"),
            "failures": [f.as_dict() for f in self.failures], "error": self.error,
        }


def play(levels: int, manager: LevelManager | None = None,
         on_level: Callable[[PlayedLevel], None] | None = None) -> list[PlayedLevel]:
    """Play ``levels`` levels; a call that fails ends the game (that level carries the error)."""
    import protege

    manager = manager or LevelManager()
    played = []
    for _ in range(levels):
        number, difficulty, previous = manager.current_level + 1, manager.current_difficulty, list(manager.prev_levels)
        try:
            level, level_map = manager.get_next_level()
        except (protege.ProtegeError, ValueError) as exc:  # a teacher that cannot answer, an answer that never parses
            played.append(PlayedLevel(number, difficulty, None, None, manager.answered, [], f"{type(exc).__name__}: {exc}"))
            break
        failures = check_level(level, previous=previous, request=(manager.width, manager.height, difficulty))
        played.append(PlayedLevel(number, difficulty, level, level_map, manager.answered,
                                  failures + check_map(level_map, requested=level)))
        if on_level is not None:
            on_level(played[-1])
    if played and played[-1].error and on_level is not None:
        on_level(played[-1])
    return played
