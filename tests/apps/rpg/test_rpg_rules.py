"""Every rule on hand-made maps: the good one passes, and for each rule a map that breaks it
fails exactly the rules it should, with a detail that says where."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from protege.apps.rpg.rules import MAP_RULES, check_level, check_map

sys.path.insert(0, str(Path(__file__).parent))
from rpg_maps import good_map, legacy_level, level, pos, wall  # noqa: E402


def failed(failures) -> set[str]:
    return {f.rule for f in failures}


def test_the_good_map_passes_every_rule_in_both_level_forms():
    assert check_map(good_map()) == []
    assert check_map(good_map(level=legacy_level())) == []
    assert check_level(level()) == []
    assert check_level(legacy_level()) == []
    assert set(MAP_RULES) == {"coordinates_in_range", "player_spawn", "walls_straight", "wall_count", "enemy_count",
                              "enemies_clear", "no_overlap", "reachable", "level_echo"}


BROKEN_MAPS = [
    # (rule broken on purpose, changes to the good map, every rule that must fail, words of the detail)
    ("coordinates_in_range", dict(enemies=[pos(6, 2), pos(3, 4)]), {"coordinates_in_range"},
     "enemies[0] (6,2) is outside the 6x5 map"),
    ("coordinates_in_range", dict(walls=[wall(1, 1, 1, 3), wall(3, -1, 3, 0)]), {"coordinates_in_range"},
     "walls[1].start_pos (3,-1) is outside"),
    ("coordinates_in_range", dict(small_obstacles=[pos(4, 5)]), {"coordinates_in_range"},
     "small_obstacles[0] (4,5) is outside"),
    ("player_spawn", dict(player_pos=pos(1, 2)), {"player_spawn", "reachable"}, "the player (1,2) is on a wall"),
    ("player_spawn", dict(player_pos=pos(4, 3)), {"player_spawn", "reachable", "no_overlap"},
     "the player (4,3) is on a small obstacle"),
    ("player_spawn", dict(player_pos=pos(5, 0)), {"player_spawn", "no_overlap"}, "the player (5,0) is on an enemy"),
    ("player_spawn", dict(player_pos=pos(0, 7)), {"player_spawn", "reachable", "coordinates_in_range"},
     "the player (0,7) is outside the 6x5 map"),
    ("walls_straight", dict(walls=[wall(1, 1, 1, 3), wall(3, 0, 4, 1)]), {"walls_straight"},
     "walls[1] from (3,0) to (4,1) is diagonal"),
    ("wall_count", dict(walls=[wall(1, 1, 1, 3)]), {"wall_count"}, "1 wall(s), the level asked for 2"),
    ("wall_count", dict(walls=[wall(1, 1, 1, 3), wall(3, 0, 4, 0), wall(3, 2, 3, 2)]), {"wall_count"},
     "3 wall(s), the level asked for 2"),
    ("enemy_count", dict(enemies=[pos(5, 0)]), {"enemy_count"}, "1 enemy(ies), the level asked for 2"),
    ("enemies_clear", dict(enemies=[pos(5, 0), pos(1, 2)]), {"enemies_clear", "reachable"},
     "enemies[1] (1,2) is on a wall"),
    ("enemies_clear", dict(enemies=[pos(5, 0), pos(4, 3)]), {"enemies_clear", "no_overlap", "reachable"},
     "enemies[1] (4,3) is on a small obstacle"),
    ("no_overlap", dict(enemies=[pos(5, 0), pos(5, 0)]), {"no_overlap"}, "enemies[1] and enemies[0] share (5,0)"),
    ("no_overlap", dict(small_obstacles=[pos(1, 1)]), {"no_overlap"}, "small_obstacles[0] (1,1) is on a wall"),
    ("no_overlap", dict(small_obstacles=[pos(2, 2), pos(2, 2)]), {"no_overlap"},
     "small_obstacles[1] and small_obstacles[0] share (2,2)"),
    ("reachable", dict(walls=[wall(1, 1, 1, 3), wall(4, 0, 4, 4)], small_obstacles=[pos(2, 3)]), {"reachable"},
     "enemies[0] (5,0) cannot be reached from the player"),
    ("reachable", dict(walls=[wall(1, 1, 1, 3), wall(4, 0, 4, 4)], small_obstacles=[pos(2, 3)]), {"reachable"},
     "5 free cell(s) cannot be reached from the player: (5,0), (5,1), (5,2), (5,3), (5,4)"),
    ("reachable", dict(walls=[wall(2, 2, 2, 4), wall(3, 2, 5, 2)], enemies=[pos(5, 0), pos(0, 4)],
                       small_obstacles=[]), {"reachable"}, "6 free cell(s) cannot be reached"),
]


@pytest.mark.parametrize("rule,changes,expected,detail", BROKEN_MAPS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BROKEN_MAPS)])
def test_a_map_that_breaks_a_rule_fails_it_and_says_where(rule, changes, expected, detail):
    failures = check_map(good_map(**changes))
    assert failed(failures) == expected
    assert any(detail in f.detail for f in failures if f.rule == rule), failures
    assert MAP_RULES[rule](good_map(), level()) == []  # the rule alone holds on the good map


def test_counts_and_sizes_are_judged_against_the_requested_level_when_there_is_one():
    asked = level(num_enemies=3, difficulty=3)
    failures = check_map(good_map(), requested=asked)
    assert failed(failures) == {"enemy_count", "level_echo"}
    assert {f.detail for f in failures if f.rule == "level_echo"} == {
        "the map's level has difficulty=2, it was asked for 3", "the map's level has num_enemies=2, it was asked for 3"}
    # a smaller requested map makes the same coordinates out of range
    assert "coordinates_in_range" in failed(check_map(good_map(), requested=level(width=5)))
    # a legacy request of the same level is the same level
    assert check_map(good_map(), requested=legacy_level()) == []


@pytest.mark.parametrize("changes,detail", [
    (dict(width=1), "size 1x5 is under 2x2"),
    (dict(num_wall=-1), "num_wall=-1 is negative"),
    (dict(num_enemies=-2), "num_enemies=-2 is negative"),
    (dict(n_retries_allowed=-1), "n_retries_allowed=-1 is negative"),
    (dict(difficulty=0), "difficulty 0 is under 1"),
    (dict(time_countdown=0), "time 0 is not positive"),
    (dict(num_enemies=30), "30 enemies and the player do not fit in 6x5"),
])
def test_level_sane(changes, detail):
    failures = check_level(level(**changes))
    assert [(f.rule, f.detail) for f in failures] == [("level_sane", detail)]


def test_level_sane_reads_the_legacy_time():
    assert [f.detail for f in check_level(legacy_level(time=-5))] == ["time -5 is not positive"]


def test_as_requested_wants_the_asked_size_and_at_least_the_asked_difficulty():
    assert check_level(level(), request=(6, 5, 2)) == []
    assert check_level(level(), request=(6, 5, 1)) == []  # harder than asked is fine
    failures = check_level(level(), request=(20, 20, 3))
    assert [(f.rule, f.detail) for f in failures] == [
        ("as_requested", "size 6x5, the game asked for 20x20"), ("as_requested", "difficulty 2, the game asked for 3")]


@pytest.mark.parametrize("before,detail", [
    (level(difficulty=3), "difficulty 2 is lower than 3"),
    (level(width=7), "size 30 is lower than 35"),
    (level(num_wall=3), "num_wall 2 is lower than 3"),
    (level(num_enemies=3), "num_enemies 2 is lower than 3"),
    (level(time_countdown=90), "time 100 is longer than 90"),
    (legacy_level(time=90), "time 100 is longer than 90"),
])
def test_difficulty_progression_names_what_got_easier(before, detail):
    failures = check_level(level(), previous=[before, level()])
    assert [(f.rule, f.detail) for f in failures] == [("difficulty_progression", f"{detail}, 2 levels back")]
    assert [f.detail for f in check_level(level(), previous=[before])] == [f"{detail}, 1 level back"]


def test_difficulty_progression_holds_for_equal_or_harder_levels():
    easier = [level(difficulty=1, num_wall=1, num_enemies=0, time_countdown=150, width=5), level()]
    assert check_level(level(), previous=easier) == []
    assert check_level(level(difficulty=5, time_countdown=20), previous=easier) == []


def test_absurd_sizes_from_a_model_are_failures_not_hangs():
    long_wall = good_map(walls=[wall(1, 1, 1, 3), wall(2, 4, -10**9, 4)])
    failures = check_map(long_wall)
    assert failed(failures) == {"coordinates_in_range"}
    huge = good_map(level=level(width=10**6, height=10**6))
    failures = check_map(huge) + check_level(huge.level)
    assert ("reachable", "a 1000000x1000000 map is too large to flood (over 40000 cells)") in {(f.rule, f.detail) for f in failures}
    assert ("level_sane", "size 1000000x1000000 is over 40000 cells") in {(f.rule, f.detail) for f in failures}
