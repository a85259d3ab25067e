"""`protege rpg demo` end to end at toy size: the procedural teacher plays games through the
router, both students are trained for a few real LoRA steps on the bundled base, gated with the
per-call decode schema and resamples, and a new game is played through the router with who
answered each call. The students are far too young to graduate, so the gate must refuse them
and the game must be the teacher's; the full-size run is `protege rpg demo` (bench/rpg.md)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import protege
from protege.apps.rpg.callsite import create_next_level, create_next_map
from protege.apps.rpg.cli import app
from protege.apps.rpg.demo import SiteOutcome, demo_met, first_try_share

pytestmark = pytest.mark.slow
runner = CliRunner()


def test_the_demo_records_trains_gates_and_plays_through_the_router(store):
    result = runner.invoke(app, ["demo", "--games", "3", "--max-steps", "2", "--levels", "3", "--strict"])
    out = result.output
    assert result.exit_code == 2, out  # strict: a game the teacher answered is not done
    assert "30 levels and maps answered by the teacher and recorded as examples" in out
    registry = protege.Registry(store)
    for site in (create_next_level.site, create_next_map.site):
        version = registry.versions(site.name)[-1]
        assert version.metrics["steps"] == 2 and version.train_config["longest_answer_tokens"] > 0
        gate = next(e for e in registry.events(site.name, limit=50) if e["kind"] == "gate")
        assert gate["to_value"].endswith(":refuse")  # too few eval examples and untrained
        assert store.route(site.name) == "teacher"
        report = json.loads(open(gate["numbers"]["report"]).read())
        assert sum(s["n"] for s in report["slices"]["attempts"].values()) == report["n"] > 0
    map_version = registry.versions(create_next_map.site.name)[-1]
    assert map_version.train_config["longest_answer_tokens"] > 200  # maps are long answers
    assert "== level 3" in out and "levels that pass every rule: 3 of 3" in out
    assert "map: 0 of 3 answered by the student" in out and "not done" in out


def test_done_means_every_level_valid_and_nine_in_ten_answers_the_students_own():
    assert demo_met([], [], 0)
    assert SiteOutcome("map", 10, 9, 7).as_dict() == {"site": "map", "calls": 10, "student_answers": 9, "first_try": 7}
    assert not any(o.own * 10 >= o.calls * 9 for o in [SiteOutcome("map", 10, 8, 8)])
    assert first_try_share(None) == "not recorded"
