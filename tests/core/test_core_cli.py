from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from protege.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def recorded(store):
    import sites_for_tests as m

    for d in (1, 2, 3):
        m.create_next_level([], d)
    return m


def test_sites_lists_calls_examples_and_route(recorded):
    rows = json.loads(invoke("sites", "--json").stdout)
    assert rows == [
        {
            "site": "sites_for_tests:create_next_level",
            "fingerprint": recorded.create_next_level.site.fingerprint,
            "calls": 3, "teacher_calls": 3, "student_calls": 0, "examples": 3, "route": "teacher",
            "served_by_student": 0, "saved_usd": None, "saved_seconds": 0.0,
        }
    ]
    assert "create_next_level" in invoke("sites").stdout


def test_calls_shows_the_newest_first(recorded):
    rows = json.loads(invoke("calls", "sites_for_tests:create_next_level", "--json", "--limit", "2").stdout)
    assert [r["inputs"]["difficulty"] for r in rows] == [3, 2]
    assert "teacher" in invoke("calls", "sites_for_tests:create_next_level").stdout


def test_export_then_import_round_trip(recorded, tmp_path):
    out = tmp_path / "ex.jsonl"
    assert invoke("examples", "export", "sites_for_tests:create_next_level", "-o", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["output"] == {"name": "level-1", "difficulty": 2}
    result = invoke("examples", "import", "sites_for_tests:create_next_level", str(out))
    assert "imported 3" in result.stdout
    assert json.loads(invoke("sites", "--json").stdout)[0]["examples"] == 6


def test_a_bad_row_imports_nothing_unless_skip_invalid(store, tmp_path):
    good = {"inputs": {"last_levels": [], "difficulty": 1}, "output": {"name": "a", "difficulty": 2}}
    bad_schema = {"inputs": {"last_levels": [], "difficulty": 1}, "output": {"name": "a"}}
    missing_arg = {"inputs": {"last_levels": []}, "output": {"name": "a", "difficulty": 2}}
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps(bad_schema), json.dumps(missing_arg), json.dumps(good)]) + "\n")
    result = runner.invoke(app, ["examples", "import", "sites_for_tests:create_next_level", str(path)])
    assert result.exit_code == 1
    for expected in ("line 2: not valid JSON", "line 3: output does not match", "line 4: inputs lack argument(s) difficulty", "nothing was imported"):
        assert expected in " ".join(result.stderr.split())
    assert store.examples("sites_for_tests:create_next_level") == []
    result = invoke("examples", "import", "sites_for_tests:create_next_level", str(path), "--skip-invalid")
    assert "imported 2" in result.stdout and "skipped 3" in result.stdout
    assert len(store.examples("sites_for_tests:create_next_level")) == 2


def test_unknown_site_says_what_to_do(store):
    result = runner.invoke(app, ["examples", "export", "nowhere:thing"])
    assert result.exit_code == 1 and "unknown call site" in result.stderr


def test_db_upgrade_on_an_empty_database(home, monkeypatch, tmp_path):
    import protege

    protege.configure(db_url=f"sqlite:///{tmp_path / 'other.db'}")
    result = invoke("db", "upgrade")
    assert "empty ->" in result.stdout
    assert invoke("db", "current").stdout.strip().startswith("0")
