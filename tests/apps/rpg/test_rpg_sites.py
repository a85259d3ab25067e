"""The game's types (both Level forms), the renderer, and the two call sites with their validators."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import protege
from protege.apps.rpg.callsite import create_next_level, create_next_map
from protege.apps.rpg.render import render_map
from protege.apps.rpg.rules import MAP_RULES
from protege.apps.rpg.schema import LegacyLevel, Level, Map

sys.path.insert(0, str(Path(__file__).parent))
from rpg_maps import RENDERED, good_map, legacy_level, level, pos, wall  # noqa: E402


def test_render_is_the_games_get_map():
    assert render_map(good_map()) == RENDERED
    assert render_map(good_map(level=legacy_level())) == RENDERED


def test_render_draws_walls_given_end_first_and_leaves_out_points_outside_the_map():
    drawn = render_map(good_map(walls=[wall(1, 3, 1, 1), wall(4, 0, 3, 0)], enemies=[pos(5, 0), pos(9, 9)]))
    assert drawn == RENDERED[:5] + ["B......B"] + RENDERED[6:]


def test_the_player_is_drawn_over_an_enemy():
    assert render_map(good_map(player_pos=pos(5, 0)))[1] == "B...BBPB"


def test_map_takes_either_level_form_by_its_keys():
    current = good_map().model_dump(mode="json")
    legacy = good_map(level=legacy_level()).model_dump(mode="json")
    assert isinstance(Map.model_validate(current).level, Level)
    assert isinstance(Map.model_validate(legacy).level, LegacyLevel)
    assert legacy["level"] == {"name": 7, "difficulty": 2, "width": 6, "height": 5, "num_wall": 2,
                               "num_enemies": 2, "time": 100}
    broken = {**current, "level": {k: v for k, v in current["level"].items() if k != "time_countdown"}}
    with pytest.raises(ValueError, match=r"level\.current\.time_countdown"):
        Map.model_validate(broken)
    with pytest.raises(ValueError, match="name"):  # the legacy form wants a numeric name
        Map.model_validate({**legacy, "level": {**legacy["level"], "name": "Keep"}})


def test_the_call_sites_declare_the_games_contract():
    level_site, map_site = create_next_level.site, create_next_map.site
    assert level_site.name == "protege.apps.rpg.callsite:create_next_level"
    assert list(level_site.signature.parameters) == ["last_levels", "difficulty", "level_width", "level_height"]
    assert level_site.return_type is Level and map_site.return_type is Map
    assert list(map_site.signature.parameters) == ["level"]
    assert [v.name for v in map_site.validators] == list(MAP_RULES)
    assert [v.name for v in level_site.validators] == ["level_sane", "as_requested", "difficulty_progression"]
    assert {v.name for v in map_site.validators if v.safety} == {"coordinates_in_range"}
    assert map_site.graduation.gate.criterion == "validators"
    # a teacher answer in the legacy level form is a valid Map
    parsed = map_site.parse(good_map(level=legacy_level()).model_dump_json())
    assert isinstance(parsed.level, LegacyLevel)


def test_map_validators_judge_against_the_requested_level_in_the_inputs():
    by_name = {v.name: v for v in create_next_map.site.validators}
    asked = {"level": level(num_enemies=3).model_dump(mode="json")}
    assert by_name["enemy_count"].check(good_map(), asked) == protege.Verdict(False, "2 enemy(ies), the level asked for 3")
    assert by_name["enemy_count"].check(good_map(), None).ok  # no request known: the map's own level
    assert by_name["enemy_count"].check(good_map(), {"level": level().model_dump(mode="json")}).ok
    verdict = by_name["reachable"].check(good_map(walls=[wall(1, 1, 1, 3), wall(4, 0, 4, 4)], small_obstacles=[]))
    assert not verdict.ok and "enemies[0] (5,0) cannot be reached" in verdict.reason
    assert all(v.check(good_map(), asked).ok for name, v in by_name.items() if name not in ("enemy_count", "level_echo"))


def test_level_validators_read_the_previous_levels_and_the_request_from_the_inputs():
    by_name = {v.name: v for v in create_next_level.site.validators}
    inputs = {"last_levels": [level(num_wall=4).model_dump(mode="json")], "difficulty": 3,
              "level_width": 6, "level_height": 5}
    progression = by_name["difficulty_progression"].check(level(), inputs)
    assert progression == protege.Verdict(False, "num_wall 2 is lower than 4, 1 level back")
    assert by_name["as_requested"].check(level(), inputs) == protege.Verdict(False, "difficulty 2, the game asked for 3")
    assert by_name["level_sane"].check(level(), inputs).ok
    assert all(v.check(level(difficulty=3, num_wall=4), inputs).ok for v in by_name.values())
    assert all(v.check(level(), None).ok for v in by_name.values())
    # a broken input is a failed check with the reason, never an exception
    assert not by_name["difficulty_progression"].check(level(), {"last_levels": [{"name": "x"}]}).ok


def test_render_refuses_a_map_too_large_to_draw():
    with pytest.raises(ValueError, match="too large to draw"):
        render_map(good_map(level=level(width=1000, height=1000)))
