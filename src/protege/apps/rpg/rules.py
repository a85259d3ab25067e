"""What a playable level and map need, one rule at a time (the game itself checks none of it).

Each rule is a plain function that returns the problems it found as sentences (an empty list
means it holds), so the same rule filters training data, checks a student's answer before it is
served, and counts as an eval metric, and every failure can be logged and counted by name.

Map rules take the map and the level it was asked for (the map's own level when no request is
known); level rules take the level and what it was asked for or comes after.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from protege.apps.rpg.schema import LegacyLevel, Level, Map, time_limit, wall_cells

AnyLevelValue = Level | LegacyLevel
Cell = tuple[int, int]
NEIGHBOURS = ((1, 0), (-1, 0), (0, 1), (0, -1))
MAX_CELLS = 40_000
"""The largest map judged cell by cell (200x200; the game's is 20x20): a model that answers a
width of a million gets a failure, not a flood fill that never ends."""


@dataclass(frozen=True)
class Failure:
    rule: str
    detail: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "detail": self.detail}


def _cell(p) -> Cell:
    return (p.x, p.y)


def _inside(cell: Cell, level: AnyLevelValue) -> bool:
    return 0 <= cell[0] < level.width and 0 <= cell[1] < level.height


def _wall_cells(m: Map, level: AnyLevelValue) -> set[Cell]:
    """The map's wall cells inside the level's grid."""
    return {c for wall in m.walls for c in wall_cells(wall, level.width, level.height)}


def _blocked(m: Map, level: AnyLevelValue) -> set[Cell]:
    """Cells nobody can stand on: walls and small obstacles."""
    return _wall_cells(m, level) | {_cell(p) for p in m.small_obstacles}


# ----- map rules
def coordinates_in_range(m: Map, level: AnyLevelValue) -> list[str]:
    """Every coordinate inside 0..width-1 and 0..height-1 (outside ones crash the game)."""
    points = [(f"walls[{i}].{end}", getattr(w, end)) for i, w in enumerate(m.walls) for end in ("start_pos", "end_pos")]
    points += [(f"small_obstacles[{i}]", p) for i, p in enumerate(m.small_obstacles)]
    points += [(f"enemies[{i}]", p) for i, p in enumerate(m.enemies)]
    points.append(("player_pos", m.player_pos))
    return [f"{where} ({p.x},{p.y}) is outside the {level.width}x{level.height} map"
            for where, p in points if not _inside(_cell(p), level)]


def player_spawn(m: Map, level: AnyLevelValue) -> list[str]:
    """Exactly one player spawn, on a free cell: inside the map, not on a wall, obstacle or enemy."""
    player = _cell(m.player_pos)
    if not _inside(player, level):
        return [f"the player ({player[0]},{player[1]}) is outside the {level.width}x{level.height} map"]
    if player in _wall_cells(m, level):
        return [f"the player ({player[0]},{player[1]}) is on a wall"]
    if player in {_cell(p) for p in m.small_obstacles}:
        return [f"the player ({player[0]},{player[1]}) is on a small obstacle"]
    if player in {_cell(p) for p in m.enemies}:
        return [f"the player ({player[0]},{player[1]}) is on an enemy"]
    return []


def walls_straight(m: Map, level: AnyLevelValue) -> list[str]:
    """Every wall horizontal or vertical."""
    return [f"walls[{i}] from ({w.start_pos.x},{w.start_pos.y}) to ({w.end_pos.x},{w.end_pos.y}) is diagonal"
            for i, w in enumerate(m.walls) if w.start_pos.x != w.end_pos.x and w.start_pos.y != w.end_pos.y]


def wall_count(m: Map, level: AnyLevelValue) -> list[str]:
    """As many walls as the level asked for (num_wall)."""
    if len(m.walls) != level.num_wall:
        return [f"{len(m.walls)} wall(s), the level asked for {level.num_wall}"]
    return []


def enemy_count(m: Map, level: AnyLevelValue) -> list[str]:
    """As many enemies as the level asked for (num_enemies)."""
    if len(m.enemies) != level.num_enemies:
        return [f"{len(m.enemies)} enemy(ies), the level asked for {level.num_enemies}"]
    return []


def enemies_clear(m: Map, level: AnyLevelValue) -> list[str]:
    """No enemy on a wall or a small obstacle."""
    walls = _wall_cells(m, level)
    obstacles = {_cell(p) for p in m.small_obstacles}
    problems = []
    for i, e in enumerate(m.enemies):
        if _cell(e) in walls:
            problems.append(f"enemies[{i}] ({e.x},{e.y}) is on a wall")
        elif _cell(e) in obstacles:
            problems.append(f"enemies[{i}] ({e.x},{e.y}) is on a small obstacle")
    return problems


def no_overlap(m: Map, level: AnyLevelValue) -> list[str]:
    """No two entities (the player, enemies, small obstacles) on one cell, and no small obstacle
    on a wall."""
    seen: dict[Cell, str] = {}
    problems = []
    entities = [("the player", m.player_pos)] + [(f"enemies[{i}]", p) for i, p in enumerate(m.enemies)]
    entities += [(f"small_obstacles[{i}]", p) for i, p in enumerate(m.small_obstacles)]
    for what, p in entities:
        if _cell(p) in seen:
            problems.append(f"{what} and {seen[_cell(p)]} share ({p.x},{p.y})")
        else:
            seen[_cell(p)] = what
    walls = _wall_cells(m, level)
    problems += [f"small_obstacles[{i}] ({p.x},{p.y}) is on a wall"
                 for i, p in enumerate(m.small_obstacles) if _cell(p) in walls]
    return problems


def reachable(m: Map, level: AnyLevelValue) -> list[str]:
    """Every free cell and every enemy reachable from the player (4-neighbour flood fill)."""
    if level.width * level.height > MAX_CELLS:
        return [f"a {level.width}x{level.height} map is too large to flood (over {MAX_CELLS} cells)"]
    blocked = _blocked(m, level)
    start = _cell(m.player_pos)
    if not _inside(start, level) or start in blocked:
        return [f"cannot flood from the player ({start[0]},{start[1]}): not a free cell inside the map"]
    reached = flood(start, level.width, level.height, blocked)
    missing = [c for c in _free_cells(level, blocked) if c not in reached]
    problems = []
    if missing:
        shown = ", ".join(f"({x},{y})" for x, y in missing[:5]) + (" ..." if len(missing) > 5 else "")
        problems.append(f"{len(missing)} free cell(s) cannot be reached from the player: {shown}")
    problems += [f"enemies[{i}] ({e.x},{e.y}) cannot be reached from the player"
                 for i, e in enumerate(m.enemies) if _inside(_cell(e), level) and _cell(e) not in reached]
    return problems


def flood(start: Cell, width: int, height: int, blocked: set[Cell]) -> set[Cell]:
    """The cells reachable from ``start`` in 4-neighbour steps, inside the grid, around ``blocked``."""
    reached, queue = {start}, deque([start])
    while queue:
        x, y = queue.popleft()
        for dx, dy in NEIGHBOURS:
            nxt = (x + dx, y + dy)
            if nxt not in reached and nxt not in blocked and 0 <= nxt[0] < width and 0 <= nxt[1] < height:
                reached.add(nxt)
                queue.append(nxt)
    return reached


def _free_cells(level: AnyLevelValue, blocked: set[Cell]):
    return ((x, y) for y in range(level.height) for x in range(level.width) if (x, y) not in blocked)


def level_echo(m: Map, level: AnyLevelValue) -> list[str]:
    """The map repeats the level it was asked for (the fields both forms share)."""
    shared = ("difficulty", "width", "height", "num_wall", "num_enemies")
    return [f"the map's level has {name}={getattr(m.level, name)}, it was asked for {getattr(level, name)}"
            for name in shared if getattr(m.level, name) != getattr(level, name)]


MapRule = Callable[[Map, AnyLevelValue], list[str]]
MAP_RULES: dict[str, MapRule] = {
    rule.__name__: rule for rule in (coordinates_in_range, player_spawn, walls_straight, wall_count, enemy_count,
                                      enemies_clear, no_overlap, reachable, level_echo)
}
SAFETY_RULES = frozenset({"coordinates_in_range"})
"""Rules whose failure crashes the game: zero tolerance in the gate."""


# ----- level rules
def level_sane(level: AnyLevelValue) -> list[str]:
    """Numbers a game can use: a size of at least 2x2, counts not negative, room for the player
    and every enemy, a positive time."""
    problems = []
    if level.width < 2 or level.height < 2:
        problems.append(f"size {level.width}x{level.height} is under 2x2")
    elif level.width * level.height > MAX_CELLS:
        problems.append(f"size {level.width}x{level.height} is over {MAX_CELLS} cells")
    problems += [f"{name}={getattr(level, name)} is negative" for name in ("num_wall", "num_enemies", "n_retries_allowed")
                 if getattr(level, name, 0) < 0]
    if level.difficulty < 1:
        problems.append(f"difficulty {level.difficulty} is under 1")
    if time_limit(level) <= 0:
        problems.append(f"time {time_limit(level)} is not positive")
    if level.width >= 2 and level.height >= 2 and level.num_enemies + 1 > level.width * level.height:
        problems.append(f"{level.num_enemies} enemies and the player do not fit in {level.width}x{level.height}")
    return problems


def as_requested(level: AnyLevelValue, width: int, height: int, difficulty: int) -> list[str]:
    """The size the game asked for, and a difficulty not under the one it asked for."""
    problems = []
    if (level.width, level.height) != (width, height):
        problems.append(f"size {level.width}x{level.height}, the game asked for {width}x{height}")
    if level.difficulty < difficulty:
        problems.append(f"difficulty {level.difficulty}, the game asked for {difficulty}")
    return problems


def difficulty_progression(level: AnyLevelValue, previous: Sequence[AnyLevelValue]) -> list[str]:
    """Not easier than any previous level: difficulty, size, walls and enemies not lower, time
    not longer."""
    problems = []
    for back, before in zip(range(len(previous), 0, -1), previous):
        checks = [
            ("difficulty", level.difficulty, before.difficulty, 1),
            ("size", level.width * level.height, before.width * before.height, 1),
            ("num_wall", level.num_wall, before.num_wall, 1),
            ("num_enemies", level.num_enemies, before.num_enemies, 1),
            ("time", time_limit(level), time_limit(before), -1),
        ]
        for name, now, then, direction in checks:
            if (now - then) * direction < 0:
                trend = "lower" if direction > 0 else "longer"
                problems.append(f"{name} {now} is {trend} than {then}, {back} level{'s' * (back > 1)} back")
    return problems


# ----- everything at once
def check_map(m: Map, requested: AnyLevelValue | None = None) -> list[Failure]:
    """Every failure of the map rules, against ``requested`` (default: the map's own level)."""
    level = requested if requested is not None else m.level
    return [Failure(name, detail) for name, rule in MAP_RULES.items() for detail in rule(m, level)]


def check_level(level: AnyLevelValue, previous: Sequence[AnyLevelValue] = (),
                request: tuple[int, int, int] | None = None) -> list[Failure]:
    """Every failure of a level; ``request`` is the (width, height, difficulty) the game asked for."""
    failures = [Failure("level_sane", d) for d in level_sane(level)]
    if request is not None:
        failures += [Failure("as_requested", d) for d in as_requested(level, *request)]
    return failures + [Failure("difficulty_progression", d) for d in difficulty_progression(level, previous)]
