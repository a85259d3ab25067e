"""The offline procedural teacher: hundreds of levels and maps, every one passing every rule, and
varied; seeded; and labelled as procedural in what the store records."""

from __future__ import annotations

import random

import pytest

from protege.apps.rpg import procedural
from protege.apps.rpg.callsite import TEACHER_ENV, create_next_level, create_next_map, teacher
from protege.apps.rpg.game import KEEP_LEVELS, LevelManager, play
from protege.apps.rpg.rules import check_level, check_map
from protege.apps.rpg.schema import Level, Map, Position, wall_cells
from protege.errors import TeacherError

GAMES, LEVELS = 25, 10


def procedural_game(seed: int, levels: int = LEVELS) -> list[tuple[Level, Map, list[Level], int]]:
    """One game with the generators answering directly: (level, map, previous levels, asked difficulty)."""
    manager = LevelManager(next_level=procedural.ProceduralTeacher("t", procedural.generate_level, seed),
                           next_map=procedural.ProceduralTeacher("t", procedural.generate_map, seed + 10_000))
    out = []
    for _ in range(levels):
        previous, asked = list(manager.prev_levels), manager.current_difficulty
        level, level_map = manager.get_next_level()
        out.append((level, level_map, previous, asked))
    return out


@pytest.fixture(scope="module")
def played() -> list[tuple[Level, Map, list[Level], int]]:
    return [row for seed in range(GAMES) for row in procedural_game(seed)]


def test_every_generated_level_and_map_passes_every_rule(played):
    assert len(played) == GAMES * LEVELS >= 200
    for level, level_map, previous, asked in played:
        assert len(previous) <= KEEP_LEVELS
        assert check_level(level, previous=previous, request=(20, 20, asked)) == []
        assert check_map(level_map, requested=level) == []


def test_generated_levels_and_maps_are_varied(played):
    maps = {level_map.model_dump_json(exclude={"level"}) for _, level_map, _, _ in played}
    assert len(maps) == len(played)  # no layout twice
    assert len({level.name for level, *_ in played}) >= 100
    assert len({(lv.num_wall, lv.num_enemies, lv.time_countdown) for lv, *_ in played}) >= 100
    assert len({m.player_pos.model_dump_json() for _, m, _, _ in played}) >= 150
    assert {lv.difficulty for lv, *_ in played} == {1, 2, 3, 4, 5}
    assert max(len(m.small_obstacles) for _, m, _, _ in played) >= 5
    assert {w.start_pos.x == w.end_pos.x for _, m, _, _ in played for w in m.walls} == {True, False}


def test_the_difficulty_climbs_every_two_levels_and_the_levels_get_harder():
    game = procedural_game(seed=7)
    assert [asked for *_, asked in game] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    first, last = game[0][0], game[-1][0]
    assert last.num_wall > first.num_wall and last.num_enemies > first.num_enemies
    assert last.time_countdown < first.time_countdown


@pytest.mark.parametrize("seed", range(40))
def test_breaking_a_generated_map_is_caught_by_the_right_rule(seed):
    level, level_map, _, _ = procedural_game(seed, levels=3)[-1]
    x, y = wall_cells(level_map.walls[0])[0]
    on_wall = level_map.model_copy(update={"enemies": [Position(x=x, y=y)] + level_map.enemies[1:]})
    assert {"enemies_clear", "reachable"} <= {f.rule for f in check_map(on_wall)}
    one_wall_less = level_map.model_copy(update={"walls": level_map.walls[1:]})
    assert {f.rule for f in check_map(one_wall_less)} == {"wall_count"}
    twice = level_map.model_copy(update={"enemies": level_map.enemies + level_map.enemies[:1]})
    assert {f.rule for f in check_map(twice)} == {"enemy_count", "no_overlap"}
    outside = level_map.model_copy(update={"small_obstacles": [Position(x=level.width, y=0)]})
    assert "coordinates_in_range" in {f.rule for f in check_map(outside)}


def test_the_teacher_is_seeded():
    def names(seed):
        return [(lv.name, m.player_pos.x, m.player_pos.y) for lv, m, _, _ in procedural_game(seed, levels=4)]

    assert names(3) == names(3)
    assert names(3) != names(4)


def test_a_level_that_cannot_be_laid_out_is_a_clear_teacher_error():
    crowded = Level(name="x", difficulty=1, width=3, height=3, num_wall=0, num_enemies=12,
                    time_countdown=60, n_retries_allowed=1)
    with pytest.raises(ValueError, match="cannot lay out 0 walls and 12 enemies on a 3x3 map"):
        procedural.generate_map(random.Random(0), level=crowded)


def test_a_real_model_replaces_the_procedural_teacher_by_env(monkeypatch):
    monkeypatch.delenv(TEACHER_ENV, raising=False)
    assert teacher(procedural.MAPS) is procedural.MAPS
    monkeypatch.setenv(TEACHER_ENV, "ollama:qwen2.5:7b")
    assert teacher(procedural.MAPS) == "ollama:qwen2.5:7b"


def test_through_the_router_every_call_is_recorded_as_procedural(store):
    for procedure in (procedural.LEVELS, procedural.MAPS):
        procedure.reseed(11)
    played = play(4)
    assert [p.valid for p in played] == [True] * 4
    assert all(p.answered[0]["model"] == procedural.LEVEL_MODEL and p.answered[1]["model"] == procedural.MAP_MODEL
               and {c["answered_by"] for c in p.answered} == {"teacher"} for p in played)
    for site, model in ((create_next_level.site, procedural.LEVEL_MODEL), (create_next_map.site, procedural.MAP_MODEL)):
        calls = store.calls(site.name, limit=10)
        examples = store.examples(site.name)
        assert len(calls) == len(examples) == 4
        assert {c["model"] for c in calls} == {e.teacher_model for e in examples} == {model}
        assert all(v["ok"] for e in examples for v in e.verdicts.values())
        assert set(examples[0].verdicts) == {v.name for v in site.validators}
    stored = sorted(store.examples(create_next_map.site.name), key=lambda e: e.id)
    assert [Map.model_validate(e.output) for e in stored] == [p.level_map for p in played]


def test_a_failing_teacher_ends_the_game_with_the_reason(store):
    def refuses(**_):
        raise TeacherError("the model is not reachable")

    played = play(3, LevelManager(next_level=refuses))
    assert len(played) == 1 and not played[0].valid
    assert played[0].error == "TeacherError: the model is not reachable"
