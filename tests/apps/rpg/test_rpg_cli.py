"""`protege rpg validate` and `protege rpg play` through Typer, on real files and a real store."""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path

from typer.testing import CliRunner

from protege.apps.rpg import procedural
from protege.apps.rpg.cli import app

sys.path.insert(0, str(Path(__file__).parent))
from rpg_maps import good_map, legacy_level, level, pos  # noqa: E402

runner = CliRunner()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_reports_each_line_and_a_summary(tmp_path):
    lines = [
        good_map().model_dump_json(),
        good_map(level=legacy_level()).model_dump_json(),
        "",
        good_map(enemies=[pos(5, 0), pos(1, 2)]).model_dump_json(),
        '{"level": {"name": "x"',
        json.dumps({**good_map().model_dump(mode="json"), "player_pos": None}),
        "[1, 2]",
    ]
    result = runner.invoke(app, ["validate", str(write_lines(tmp_path / "maps.jsonl", lines))])
    assert result.exit_code == 1, result.output
    printed = result.stdout.splitlines()
    rows = [json.loads(line) for line in printed[:-1]]
    assert [(r["index"], r["valid"]) for r in rows] == [(0, True), (1, True), (3, False), (4, False), (5, False), (6, False)]
    assert all(set(r) == {"index", "valid", "failures"} for r in rows)
    assert rows[2]["failures"] == [
        {"rule": "enemies_clear", "detail": "enemies[1] (1,2) is on a wall"},
        {"rule": "reachable", "detail": "enemies[1] (1,2) cannot be reached from the player"}]
    assert rows[3]["failures"][0]["rule"] == "json" and rows[3]["failures"][0]["detail"].startswith("not JSON: ")
    assert rows[4]["failures"] == [{"rule": "shape", "detail": "not a Map: player_pos: Input should be a valid dictionary or instance of Position"}]
    assert rows[5]["failures"] == [{"rule": "shape", "detail": "expected a Map object, got a JSON list"}]
    assert printed[-1] == ("6 map(s): 2 valid, 4 invalid; failures by rule: shape 2, enemies_clear 1, json 1, reachable 1")
    assert "Traceback" not in result.output


def test_validate_json_is_one_document_and_compares_each_level_with_the_lines_before(tmp_path):
    harder, easier = good_map(level=level(difficulty=3, time_countdown=80)), good_map(level=level(difficulty=2))
    path = write_lines(tmp_path / "maps.jsonl", [harder.model_dump_json(), easier.model_dump_json()])
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["results"][1] == {"index": 1, "valid": False, "failures": [
        {"rule": "difficulty_progression", "detail": "difficulty 2 is lower than 3, 1 level back"},
        {"rule": "difficulty_progression", "detail": "time 100 is longer than 80, 1 level back"}]}
    assert document["summary"] == {"checked": 2, "valid": 1, "invalid": 1,  # failing lines per rule
                                   "failures_by_rule": {"difficulty_progression": 1}}
    alone = runner.invoke(app, ["validate", str(path), "--json", "--independent"])
    assert alone.exit_code == 0, alone.output
    assert json.loads(alone.stdout)["summary"]["valid"] == 2


def test_validate_an_unreadable_file_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "maps.jsonl"
    path.write_bytes(b"\xff\xfe\x00bad")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "cannot read" in result.output and result.exception.__class__ is SystemExit


def test_play_prints_each_level_with_who_answered_and_the_verdicts(home):
    result = runner.invoke(app, ["play", "--levels", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("playing 3 level(s) with the procedural teachers, seed 5")
    for number in (1, 2, 3):
        assert f"== level {number} (asked difficulty {(number + 1) // 2})" in out
    assert out.count(f"level: teacher ({procedural.LEVEL_MODEL}), route teacher") == 3
    assert out.count(f"  map: teacher ({procedural.MAP_MODEL}), route teacher") == 3
    assert out.count("valid: every rule holds") == 3
    assert out.count("B" * 22) == 6  # the top and bottom border of three 20x20 maps
    assert out.rstrip().endswith("3 level(s): 3 valid, 0 invalid; failures by rule: none")


def test_play_json_is_seeded_and_complete(home):
    first = runner.invoke(app, ["play", "--levels", "4", "--seed", "2", "--json"])
    again = runner.invoke(app, ["play", "--levels", "4", "--seed", "2", "--json"])
    other = runner.invoke(app, ["play", "--levels", "4", "--seed", "3", "--json"])
    assert first.exit_code == again.exit_code == other.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["seed"] == 2 and len(doc["levels"]) == 4
    level_one = doc["levels"][0]
    assert level_one["valid"] and level_one["failures"] == [] and level_one["error"] is None
    assert level_one["level_call"]["answered_by"] == "teacher" and level_one["map_call"]["model"] == procedural.MAP_MODEL
    assert len(level_one["ascii"]) == 22 and level_one["map"]["level"] == level_one["level"]
    assert doc["summary"]["answered_by"] == {f"teacher:{procedural.LEVEL_MODEL}": 4, f"teacher:{procedural.MAP_MODEL}": 4}
    assert [lv["map"] for lv in json.loads(again.stdout)["levels"]] == [lv["map"] for lv in doc["levels"]]
    assert [lv["map"] for lv in json.loads(other.stdout)["levels"]] != [lv["map"] for lv in doc["levels"]]


def test_the_rpg_commands_are_registered_with_the_protege_cli():
    found = {ep.name: ep.value for ep in entry_points(group="protege.cli")}
    assert found.get("rpg") == "protege.apps.rpg.cli:app"


def test_play_with_a_real_teacher_named_by_env_that_cannot_be_reached(tmp_path):
    import os
    import subprocess

    env = {**os.environ, "PROTEGE_RPG_TEACHER": "http://127.0.0.1:9/v1#gpt-4o", "PROTEGE_HOME": str(tmp_path / ".protege")}
    done = subprocess.run([sys.executable, "-m", "protege", "rpg", "play", "--levels", "2"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "playing 2 level(s) with the teacher PROTEGE_RPG_TEACHER=http://127.0.0.1:9/v1#gpt-4o" in done.stdout
    assert "level: teacher (no answer), route teacher" in done.stdout
    assert "error: TeacherError: teacher gpt-4o at http://127.0.0.1:9/v1 failed" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
