"""The RPG game as Jac: level_manager.jac run by `protege rpg jac` in the Jac environment
(.venv-jac, made by scripts/setup-jac.sh), its two `by llm` call sites captured through protege's
plugin into a store read here, every answer judged by the RPG validators of jac_options.py.
Without the Jac environment the Jac tests skip, or fail when CI is set (CI builds it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import protege
from protege.apps.rpg import jac_options
from protege.apps.rpg.callsite import LEVEL_VALIDATORS, MAP_VALIDATORS
from protege.apps.rpg.render import render_map
from protege.apps.rpg.schema import Map
from protege.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from rpg_maps import good_map, level, pos, wall
from servers import JAC_ENV, require_jac_env

REPO = Path(__file__).resolve().parents[3]
LEVEL_SITE, MAP_SITE = "level_manager:create_next_level", "level_manager:create_next_map"
PROGRAM = REPO / "src" / "protege" / "apps" / "rpg" / "level_manager.jac"
TEACHER = "procedural:rpg-v1"


@pytest.fixture(scope="module")
def jac_env() -> Path:
    return require_jac_env()


@pytest.fixture
def home(tmp_path):
    protege.configure(home=tmp_path / ".protege", db_url=None, redact=True, redact_terms=())
    yield tmp_path
    Store.forget_default()


def protege_cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """protege's CLI of this (the main) environment on the test's store."""
    keep = ("PROTEGE_CACHE_DIR", "PROTEGE_BASES_DIR")
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("PROTEGE_", "OPENAI_", "VIRTUAL_ENV")) or k in keep}
    environ.update({"PROTEGE_HOME": str(home / ".protege"), "PROTEGE_JAC_VENV": str(JAC_ENV),
                    "LITELLM_LOCAL_MODEL_COST_MAP": "True", **env})
    return subprocess.run([sys.executable, "-m", "protege", *args], cwd=home, env=environ, capture_output=True,
                          text=True, timeout=300, check=False)


def test_four_jac_levels_are_captured_per_call_site_judged_and_the_games_types(jac_env, home):
    done = protege_cli(home, "rpg", "jac", "--levels", "4", "--seed", "3", "--json")
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    played = json.loads(done.stdout)
    levels = played["levels"]
    assert [lv["number"] for lv in levels] == [1, 2, 3, 4]
    assert [lv["asked_difficulty"] for lv in levels] == [1, 1, 2, 2]  # up every second level
    assert all(lv["valid"] and lv["failures"] == [] for lv in levels), levels
    # the program got its own Jac types back, and its get_map draws what the game's renderer draws
    assert all(lv["jac_types"] == ["Level", "Map"] for lv in levels)
    assert [lv["jac_rows"] for lv in levels] == [render_map(Map.model_validate(lv["map"])) for lv in levels]
    assert all(len(lv["jac_rows"]) == 22 and {len(r) for r in lv["jac_rows"]} == {22} for lv in levels)
    # who answered each call, as protege routed it in the Jac process
    assert [[(c["site"], c["answered_by"], c["model"], c["route"]) for c in (lv["level_call"], lv["map_call"])]
            for lv in levels] == [[(LEVEL_SITE, "teacher", TEACHER, "teacher"), (MAP_SITE, "teacher", TEACHER, "teacher")]] * 4
    assert played["summary"]["answered_by"] == {f"teacher:{TEACHER}": 8}

    store = Store.default()
    assert store.site_names() == [LEVEL_SITE, MAP_SITE]
    level_rows = list(reversed(store.calls(LEVEL_SITE, limit=20)))
    map_rows = list(reversed(store.calls(MAP_SITE, limit=20)))
    assert [(r["role"], r["model"], r["error"]) for r in level_rows + map_rows] == [("teacher", TEACHER, None)] * 8
    # full inputs: the last three levels at most, the asked difficulty and size; the map call gets the level
    answered_levels = [r["parsed_output"] for r in level_rows]
    assert [r["inputs"] for r in level_rows] == [
        {"last_levels": answered_levels[max(0, i - 3):i], "difficulty": d, "level_width": 20, "level_height": 20}
        for i, d in enumerate([1, 1, 2, 2])]
    assert [r["inputs"] for r in map_rows] == [{"level": lv} for lv in answered_levels]
    # full outputs: what the program printed is what was recorded
    assert answered_levels == [lv["level"] for lv in levels]
    assert [r["parsed_output"] for r in map_rows] == [lv["map"] for lv in levels]
    # every answer judged by the RPG validators, rule by rule, in the Jac process
    for rows, validators in ((level_rows, LEVEL_VALIDATORS), (map_rows, MAP_VALIDATORS)):
        for r in rows:
            assert sorted(r["verdicts"]) == sorted(v.name for v in validators)
            assert all(v["ok"] for v in r["verdicts"].values()), r["verdicts"]
    assert "Create the map of an RPG level" in map_rows[0]["prompt"]  # byLLM's own prompt, the docstring in it
    assert level_rows[0]["meta"]["origin"].startswith(f"{PROGRAM}:")
    assert [len(store.examples(LEVEL_SITE)), len(store.examples(MAP_SITE))] == [4, 4]

    # the same seed plays the same game through the Python call sites
    python = protege_cli(home, "rpg", "play", "--levels", "4", "--seed", "3", "--json")
    assert python.returncode == 0, python.stderr
    python_levels = json.loads(python.stdout)["levels"]
    assert [(lv["level"], lv["map"]) for lv in python_levels] == [(lv["level"], lv["map"]) for lv in levels]


def test_without_a_jac_environment_the_command_says_how_to_make_one(home):
    done = protege_cli(home, "rpg", "jac", "--levels", "1", PROTEGE_JAC_VENV=str(home / "nowhere"))
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert "no `jac` command PROTEGE_JAC_VENV=" in said and "bash scripts/setup-jac.sh" in said


def test_the_jac_sites_validators_judge_json_answers_rule_by_rule():
    map_validators = jac_options.SITES[MAP_SITE]["validators"]
    level_validators = jac_options.SITES[LEVEL_SITE]["validators"]
    assert [v.name for v in map_validators] == [v.name for v in MAP_VALIDATORS]
    assert {v.name for v in map_validators if v.safety} == {"coordinates_in_range"}
    asked = level().model_dump(mode="json")

    def failed(validators, answer, inputs):
        return {v.name for v in validators if not v.check(answer, inputs).ok}

    good = good_map().model_dump(mode="json")
    assert failed(map_validators, good, {"level": asked}) == set()
    broken = good_map(enemies=[pos(1, 1), pos(2, 2), pos(3, 3)], walls=[wall(0, 0, 2, 2)]).model_dump(mode="json")
    assert failed(map_validators, broken, {"level": asked}) >= {"enemy_count", "walls_straight"}
    not_a_map = failed(map_validators, {"walls": []}, {"level": asked})
    assert not_a_map == {v.name for v in MAP_VALIDATORS}  # every rule fails an answer that is not a Map
    reason = map_validators[0].check({"walls": []}, {"level": asked}).reason
    assert "ValidationError" in reason
    too_easy = {**asked, "difficulty": 1}
    request = {"last_levels": [{**asked, "difficulty": 3}], "difficulty": 2, "level_width": asked["width"],
               "level_height": asked["height"]}
    assert failed(level_validators, too_easy, request) == {"as_requested", "difficulty_progression"}
    assert jac_options.SITES[LEVEL_SITE]["graduation"].gate.criterion == "validators"


@pytest.mark.slow
def test_the_demo_trains_the_jac_sites_and_their_students_answer_the_jac_program(jac_env, home):
    """`protege rpg demo --jac` at toy size: the Jac program plays the teacher's games, its two
    sites are trained (1 step) and gated here under their own names; the gate refuses students
    this young, and the final game is the teacher's. Then both students are put on the route by
    hand, and the Jac program's calls go to them: decoded under the site options' per-call
    schema, resampled, and answered by the teacher with the reason when every try breaks a rule."""
    done = protege_cli(home, "rpg", "demo", "--jac", "--games", "2", "--max-steps", "1", "--levels", "2", "--strict")
    out = done.stdout
    assert done.returncode == 2, f"{out}\n{done.stderr}"
    assert "of level_manager.jac" in out and "20 levels and maps answered by the teacher" in out
    assert "level: 0 of 2 answered by the student" in out and "levels that pass every rule: 2 of 2" in out
    store = Store(f"sqlite:///{home / '.protege' / 'protege.db'}")
    registry = protege.Registry(store)
    for name in (LEVEL_SITE, MAP_SITE):
        version = registry.versions(name)[-1]
        assert version.metrics["steps"] == 1
        gate = next(e for e in registry.events(name, limit=50) if e["kind"] == "gate")
        assert gate["to_value"].endswith(":refuse")
        registry.promote(name, version.version, reason="test: serve an untrained student", route="student")

    served = protege_cli(home, "rpg", "jac", "--levels", "1", "--seed", "9", "--json")
    assert served.returncode == 0, f"{served.stdout}\n{served.stderr}"
    level = json.loads(served.stdout)["levels"][0]
    assert level["valid"]  # whoever answered, what was served passes every rule
    for name, call in zip((LEVEL_SITE, MAP_SITE), (level["level_call"], level["map_call"])):
        tries = [c for c in store.calls(name, role="student") if c["inputs"] == store.calls(name)[0]["inputs"]]
        assert call["route"] == "student" and tries, call
        if call["answered_by"] == "teacher":  # every try broke a rule: 1 + resamples, then the teacher
            n = 1 + jac_options.SITES[name]["graduation"].resample
            assert sorted(t["meta"]["attempt"] for t in tries) == list(range(1, n + 1))
            assert call["fallback"].endswith(f"(after {n} samples)")
    map_try = store.calls(MAP_SITE, role="student")[0]["parsed_output"]
    asked = store.calls(MAP_SITE)[0]["inputs"]["level"]
    if map_try is not None:  # the per-call schema reached the Jac site: the level repeated, exact counts
        assert map_try["level"] == asked and len(map_try["walls"]) == asked["num_wall"]
        assert len(map_try["enemies"]) == asked["num_enemies"]
