"""The per-call decode schemas of the RPG sites: they accept every answer the rules accept (the
procedural teacher's, over whole games), refuse what the inputs rule out (a bent wall, a wrong
count, a coordinate off the grid, a level easier than the last), and a real model decoding under
them (the untrained bundled base, llama.cpp + llguidance) can only write those shapes."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from protege.apps.rpg import procedural
from protege.apps.rpg.callsite import create_next_level, create_next_map
from protege.apps.rpg.decoding import level_schema_for, map_schema_for
from protege.apps.rpg.rules import check_level
from protege.apps.rpg.schema import Map

sys.path.insert(0, str(Path(__file__).parent))
from test_rpg_procedural import procedural_game  # noqa: E402

MAP_SITE, LEVEL_SITE = create_next_map.site, create_next_level.site


def _valid(schema: dict, value) -> bool:
    return Draft202012Validator(schema).is_valid(value)


def _game_calls(seed: int):
    for level, level_map, previous, asked in procedural_game(seed):
        level_inputs = {"last_levels": [lv.model_dump() for lv in previous], "difficulty": asked,
                        "level_width": level.width, "level_height": level.height}
        yield level_inputs, level.model_dump(), {"level": level.model_dump()}, level_map.model_dump()


def test_every_rule_abiding_answer_of_whole_games_fits_the_narrowed_schemas():
    checked = 0
    for seed in range(8):
        for level_inputs, level, map_inputs, level_map in _game_calls(seed):
            assert _valid(level_schema_for(LEVEL_SITE.decode_schema, level_inputs), level)
            assert _valid(map_schema_for(MAP_SITE.decode_schema, map_inputs), level_map)
            checked += 1
    assert checked == 80


def test_the_map_schema_refuses_what_the_level_rules_out():
    _, _, inputs, good = next(_game_calls(3))
    schema = map_schema_for(MAP_SITE.decode_schema, inputs)
    width, height = inputs["level"]["width"], inputs["level"]["height"]

    def changed(edit) -> dict:
        value = Map.model_validate(good).model_dump()
        edit(value)
        return value

    bent = changed(lambda m: m["walls"][0].update(end_pos={"x": m["walls"][0]["start_pos"]["x"] + 1,
                                                           "y": m["walls"][0]["start_pos"]["y"] + 1}))
    extra_wall = changed(lambda m: m["walls"].append(m["walls"][0]))
    one_enemy_less = changed(lambda m: m["enemies"].pop())
    off_grid = changed(lambda m: m["player_pos"].update(x=width))
    negative = changed(lambda m: m["small_obstacles"].append({"x": 0, "y": -1}))
    other_level = changed(lambda m: m["level"].update(num_wall=m["level"]["num_wall"] + 1))
    for bad in (bent, extra_wall, one_enemy_less, off_grid, negative, other_level):
        assert not _valid(schema, bad)
    assert height > 0 and _valid(schema, good)


def test_the_level_schema_refuses_a_level_easier_than_the_last_or_of_another_size():
    inputs, level, _, _ = list(_game_calls(5))[4]
    schema = level_schema_for(LEVEL_SITE.decode_schema, inputs)
    last = inputs["last_levels"][-1]
    for field, value in [("width", level["width"] + 1), ("difficulty", inputs["difficulty"] - 1),
                         ("num_wall", last["num_wall"] - 1), ("num_enemies", last["num_enemies"] - 1),
                         ("time_countdown", last["time_countdown"] + 1), ("time_countdown", 0)]:
        assert not _valid(schema, {**level, field: value}), field
    assert _valid(schema, level)


@pytest.mark.parametrize("inputs", [{}, {"level": None}, {"level": {"width": "wide"}}, {"level": {
    "name": "x", "difficulty": 1, "width": 10**9, "height": 2, "num_wall": 1, "num_enemies": 0, "time_countdown": 9,
    "n_retries_allowed": 1}}])
def test_inputs_that_fix_nothing_leave_the_site_schema(inputs):
    assert map_schema_for(MAP_SITE.decode_schema, inputs) == MAP_SITE.decode_schema
    assert level_schema_for(LEVEL_SITE.decode_schema, {"difficulty": "hard"}) == LEVEL_SITE.decode_schema


def test_a_real_model_under_the_map_schema_writes_exact_counts_straight_walls_on_the_grid():
    pytest.importorskip("llama_cpp")
    import protege

    runtime = protege.StudentRuntime.load(protege.resolve_base_model().gguf_path)
    rng = random.Random(7)
    level = procedural.generate_level(rng, last_levels=[], difficulty=4, level_width=12, level_height=9)
    inputs = {"level": level.model_dump()}
    for seed in (None, 1, 2):
        sampling = {} if seed is None else {"temperature": 0.9, "seed": seed}
        answer = runtime.answer(MAP_SITE.student_prompt(inputs), MAP_SITE.decode_schema_for(inputs), max_tokens=900, **sampling)
        assert answer.finish_reason == "stop", answer.text
        m = Map.model_validate(answer.parsed_json)
        assert m.level.model_dump() == level.model_dump()
        assert len(m.walls) == level.num_wall and len(m.enemies) == level.num_enemies
        assert all(w.start_pos.x == w.end_pos.x or w.start_pos.y == w.end_pos.y for w in m.walls)
        points = [p for w in m.walls for p in (w.start_pos, w.end_pos)] + m.small_obstacles + m.enemies + [m.player_pos]
        assert all(0 <= p.x < 12 and 0 <= p.y < 9 for p in points)
        assert answer.tokens_forced > answer.tokens_out / 2  # the level and the keys cost no model step

    level_inputs = {"last_levels": [level.model_dump()], "difficulty": 5, "level_width": 12, "level_height": 9}
    answer = runtime.answer(LEVEL_SITE.student_prompt(level_inputs), LEVEL_SITE.decode_schema_for(level_inputs))
    written = LEVEL_SITE.validate(answer.parsed_json)
    assert not [f for f in check_level(written, previous=[level], request=(12, 9, 5)) if f.rule != "level_sane"]
