"""A small hand-made map that passes every rule, and the means to break it one rule at a time.

    P . . B B E        6 x 5, two walls: (1,1)-(1,3) and (3,0)-(4,0),
    . B . . . .        one small obstacle at (4,3),
    . B . . . .        enemies at (5,0) and (3,4), the player at (0,0).
    . B . . B .
    . . . E . .
"""

from __future__ import annotations

from protege.apps.rpg.schema import LegacyLevel, Level, Map, Position, Wall

RENDERED = [
    "BBBBBBBB",
    "BP..BBEB",
    "B.B....B",
    "B.B....B",
    "B.B..B.B",
    "B...E..B",
    "BBBBBBBB",
]


def pos(x: int, y: int) -> Position:
    return Position(x=x, y=y)


def wall(x0: int, y0: int, x1: int, y1: int) -> Wall:
    return Wall(start_pos=pos(x0, y0), end_pos=pos(x1, y1))


def level(**changes) -> Level:
    fields = dict(name="Test Keep", difficulty=2, width=6, height=5, num_wall=2, num_enemies=2,
                  time_countdown=100, n_retries_allowed=2)
    return Level(**{**fields, **changes})


def legacy_level(**changes) -> LegacyLevel:
    fields = dict(name=7, difficulty=2, width=6, height=5, num_wall=2, num_enemies=2, time=100)
    return LegacyLevel(**{**fields, **changes})


def good_map(**changes) -> Map:
    fields = dict(level=level(), walls=[wall(1, 1, 1, 3), wall(3, 0, 4, 0)], small_obstacles=[pos(4, 3)],
                  enemies=[pos(5, 0), pos(3, 4)], player_pos=pos(0, 0))
    return Map(**{**fields, **changes})
