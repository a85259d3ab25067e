"""The offline teacher: levels and maps made by a seeded procedure instead of a large model.

It stands in for the GPT-4-class teachers the game was written for, which cannot be reached
here, and says so: its model names start with ``procedural:``, and the router records that name
on every call and example it answers. Its answers pass every rule in :mod:`rules` by
construction (walls are laid one at a time and only kept while every free cell stays connected),
and they vary: names, counts, times and layouts are drawn from the seeded stream.

A teacher answers from a child generator drawn from its stream, so the answers depend only on
the seed and the order of the calls: ``protege rpg play --seed N`` replays the same game.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

from protege.apps.rpg.rules import flood
from protege.apps.rpg.schema import LegacyLevel, Level, Map, Position, Wall, time_limit, wall_cells

LEVEL_MODEL = "procedural:rpg-level-v1"
MAP_MODEL = "procedural:rpg-map-v1"
START_TIME = 180
MIN_TIME = 30

_ADJECTIVES = ("Sunken", "Frozen", "Whispering", "Burning", "Forgotten", "Crimson", "Hollow", "Gilded", "Shattered",
               "Mossy", "Silent", "Howling", "Ashen", "Verdant", "Obsidian", "Drowned", "Thorny", "Starlit")
_PLACES = ("Catacombs", "Keep", "Marsh", "Halls", "Caverns", "Bastion", "Grove", "Crypt", "Foundry", "Labyrinth",
           "Ruins", "Sanctum", "Mines", "Outpost", "Library", "Gardens", "Barracks", "Vault")


def wall_cap(width: int, height: int) -> int:
    """The most walls a procedural level asks for (20 on the game's 20x20 map)."""
    return max(1, (width + height) // 2)


def enemy_cap(width: int, height: int) -> int:
    """The most enemies a procedural level asks for (10 on a 20x20 map)."""
    return max(1, width * height // 40)


def generate_level(rng: random.Random, *, last_levels: Sequence[Level | LegacyLevel], difficulty: int,
                   level_width: int, level_height: int) -> Level:
    """The next level: at the asked size and difficulty, never easier than the previous levels."""
    prev = list(last_levels)
    difficulty = max([difficulty] + [lv.difficulty for lv in prev])
    fewest_walls = max([0] + [lv.num_wall for lv in prev])
    fewest_enemies = max([0] + [lv.num_enemies for lv in prev])
    longest_time = min([START_TIME] + [time_limit(lv) for lv in prev])
    walls = min(wall_cap(level_width, level_height), 2 + difficulty + rng.randint(0, 2))
    enemies = min(enemy_cap(level_width, level_height), difficulty + rng.randint(0, 2))
    time = max(MIN_TIME, START_TIME - 15 * difficulty + rng.randint(-10, 10))
    retries = max(1, 4 - difficulty // 2 - rng.randint(0, 1))
    return Level(
        name=f"{rng.choice(_ADJECTIVES)} {rng.choice(_PLACES)}",
        difficulty=difficulty,
        width=level_width,
        height=level_height,
        num_wall=max(fewest_walls, walls),
        num_enemies=max(fewest_enemies, enemies),
        time_countdown=min(longest_time, time),
        n_retries_allowed=min([retries] + [lv.n_retries_allowed for lv in prev if isinstance(lv, Level)]),
    )


def generate_map(rng: random.Random, *, level: Level | LegacyLevel, attempts: int = 50) -> Map:
    """A map of ``level`` that passes every rule; ValueError when the level cannot be laid out."""
    for _ in range(attempts):
        found = _lay_out(rng, level)
        if found is not None:
            return found
    raise ValueError(f"cannot lay out {level.num_wall} walls and {level.num_enemies} enemies on a "
                     f"{level.width}x{level.height} map with every free cell reachable")


def _lay_out(rng: random.Random, level: Level | LegacyLevel) -> Map | None:
    width, height = level.width, level.height
    if width < 1 or height < 1:
        return None
    blocked: set[tuple[int, int]] = set()
    walls: list[Wall] = []
    longest = max(1, min(width, height) // 3)
    tries = 0
    while len(walls) < level.num_wall:
        tries += 1
        if tries > 50 * level.num_wall + 50:
            return None
        length = rng.randint(1 if tries > 20 * level.num_wall else 2, max(2, longest))
        wall = _random_wall(rng, width, height, length)
        if wall is None:
            continue
        cells = set(wall_cells(wall))
        if not cells & blocked and _connected(width, height, blocked | cells):
            blocked |= cells
            walls.append(wall)
    obstacles: list[Position] = []
    for _ in range(rng.randint(level.difficulty // 2, level.difficulty + 2)):
        cell = rng.choice(_free(width, height, blocked) or [None])
        if cell is not None and _connected(width, height, blocked | {cell}):
            blocked.add(cell)
            obstacles.append(Position(x=cell[0], y=cell[1]))
    free = _free(width, height, blocked)
    if len(free) < level.num_enemies + 1:
        return None
    player = rng.choice(free)
    others = [c for c in free if c != player]
    far = [c for c in others if abs(c[0] - player[0]) + abs(c[1] - player[1]) >= 4]
    enemies = rng.sample(far if len(far) >= level.num_enemies else others, max(0, level.num_enemies))
    return Map(level=level, walls=walls, small_obstacles=obstacles,
               enemies=[Position(x=x, y=y) for x, y in enemies], player_pos=Position(x=player[0], y=player[1]))


def _random_wall(rng: random.Random, width: int, height: int, length: int) -> Wall | None:
    horizontal = rng.random() < 0.5
    span_x, span_y = (length, 1) if horizontal else (1, length)
    if span_x > width or span_y > height:
        return None
    x, y = rng.randrange(width - span_x + 1), rng.randrange(height - span_y + 1)
    return Wall(start_pos=Position(x=x, y=y), end_pos=Position(x=x + span_x - 1, y=y + span_y - 1))


def _free(width: int, height: int, blocked: set[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(x, y) for y in range(height) for x in range(width) if (x, y) not in blocked]


def _connected(width: int, height: int, blocked: set[tuple[int, int]]) -> bool:
    """Is every free cell reachable from every other one (and is there one at all)?"""
    free = _free(width, height, blocked)
    return bool(free) and len(flood(free[0], width, height, blocked)) == len(free)


class ProceduralTeacher:
    """A call site's teacher made of a generator and a seeded stream (a plain callable to protege)."""

    def __init__(self, model: str, generate: Callable[..., Any], seed: int = 0):
        self.model = model
        self._generate = generate
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        """Start the stream again: the same seed and calls give the same answers."""
        self.seed = seed
        self._stream = random.Random(seed)

    def __call__(self, **args: Any) -> Any:
        with self._lock:
            rng = random.Random(self._stream.getrandbits(64))
        return self._generate(rng, **args)


LEVELS = ProceduralTeacher(LEVEL_MODEL, generate_level)
MAPS = ProceduralTeacher(MAP_MODEL, generate_map)
