"""The game's ``get_map``: a map as rows of text.

A height x width grid of ``.``; wall cells and small obstacles are ``B``, enemies ``E``, the
player ``P`` (drawn in that order, so the player shows on top), all inside a ``B`` border. The
game crashes on a coordinate outside the map; here such a point is left out of the drawing (the
``coordinates_in_range`` validator reports it).
"""

from __future__ import annotations

from protege.apps.rpg.rules import MAX_CELLS
from protege.apps.rpg.schema import Map, wall_cells

FLOOR, BLOCK, ENEMY, PLAYER = ".", "B", "E", "P"


def render_map(m: Map) -> list[str]:
    """The map as ``height + 2`` strings of ``width + 2`` characters, border included;
    ValueError for a map over ``MAX_CELLS`` cells."""
    width, height = max(m.level.width, 0), max(m.level.height, 0)
    if width * height > MAX_CELLS:
        raise ValueError(f"a {width}x{height} map is too large to draw (over {MAX_CELLS} cells)")
    grid = [[FLOOR] * width for _ in range(height)]

    def put(x: int, y: int, tile: str) -> None:
        if 0 <= x < width and 0 <= y < height:
            grid[y][x] = tile

    for wall in m.walls:
        for x, y in wall_cells(wall, width, height):
            put(x, y, BLOCK)
    for p in m.small_obstacles:
        put(p.x, p.y, BLOCK)
    for p in m.enemies:
        put(p.x, p.y, ENEMY)
    put(m.player_pos.x, m.player_pos.y, PLAYER)
    border = BLOCK * (width + 2)
    return [border] + [BLOCK + "".join(row) + BLOCK for row in grid] + [border]


def describe_level(played) -> str:
    """A played level (:class:`protege.apps.rpg.game.PlayedLevel`) as text: the level, who
    answered each call, the map, and the validators' verdicts."""
    lines = [f"== level {played.number} (asked difficulty {played.asked_difficulty})"]
    for what, call in zip(("level", "map"), played.answered):
        lines.append(f"{what:>5}: {_who(call)}")
    if played.error:
        return "\n".join(lines + [f"error: {played.error}"])
    lv = played.level
    lines.append(f'"{lv.name}": difficulty {lv.difficulty}, {lv.width}x{lv.height}, {lv.num_wall} walls, '
                 f"{lv.num_enemies} enemies, {lv.time_countdown} s, {lv.n_retries_allowed} retries")
    try:
        lines += render_map(played.level_map)
    except ValueError as exc:
        lines.append(f"(not drawn: {exc})")
    if played.failures:
        lines += [f"FAIL {f.rule}: {f.detail}" for f in played.failures]
    else:
        lines.append("valid: every rule holds")
    return "\n".join(lines)


def _who(call: dict) -> str:
    text = f"{call.get('answered_by')} ({call.get('model') or 'no answer'}), route {call.get('route')}"
    if (call.get("attempts") or 1) > 1:
        text += f", {call['attempts']} student tries"
    return text + (f", fallback: {call['fallback']}" if call.get("fallback") else "")
