"""`protege showintent generate|import-curated` through Typer, writing real files and a real store."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

import protege
from protege.apps.showintent.cli import app
from protege.apps.showintent.curated import HEADER
from protege.apps.showintent.generator import generate_rows

runner = CliRunner()


def test_generate_writes_deterministic_jsonl(tmp_path):
    out = tmp_path / "rows.jsonl"
    result = runner.invoke(app, ["generate", "--rows", "40", "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = generate_rows(40, 5)
    assert [line["output"] for line in lines] == [r.expected_intent for r in expected]
    assert lines[0]["provenance"]["expected_policy_decision"] == expected[0].expected_decision
    assert "categories: ambiguous 4, approval 10, blocked 8, safe 16, telegram 2" in result.output
    assert not list(tmp_path.glob("*.part"))


def test_generate_needs_a_destination():
    result = runner.invoke(app, ["generate", "--rows", "5"])
    assert result.exit_code == 1 and "--out" in result.output


def _csv(path):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(["c1", "deixa a festa da Acme mais premium", "pt-BR", "", "warm",
                         json.dumps({"type": "change_mood", "mood": "premium"}), "allow", "mood", "", "sim"])
        writer.writerow(["c2", "/fog", "pt-BR", "", "", json.dumps({"type": "arm_effect", "effect": "fog"}),
                         "require_approval", "fog", "", "sim"])
    return path


def test_import_curated_reports_bad_rows_and_imports_nothing(tmp_path):
    out = tmp_path / "curated.jsonl"
    result = runner.invoke(app, ["import-curated", str(_csv(tmp_path / "c.csv")), "--no-store", "--out", str(out)])
    assert result.exit_code == 1
    assert "row 3 (id c2): label says require_approval but the policy says block" in result.output
    assert not out.exists()
    result = runner.invoke(app, ["import-curated", str(tmp_path / "c.csv"), "--no-store", "--skip-invalid",
                                 "--client-name", "Acme", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and "Acme" not in rows[0]["inputs"]["message"]
    assert "imported 1 curated row(s); 0 not approved by a human; 1 invalid" in result.output


def test_generate_store_round_trip(home):
    from protege.store import Store

    result = runner.invoke(app, ["generate", "--rows", "30", "--seed", "2", "--store"])
    assert result.exit_code == 0, result.output
    site_name = result.output.split("for ", 1)[1].split(" (", 1)[0]
    stored = Store.default().examples(site_name)
    assert len(stored) == 30 and {e.source for e in stored} == {"synthetic"}


def test_score_and_compare_reports(tmp_path, monkeypatch):
    from protege.apps.showintent.metrics import load_locked_eval, load_locked_references

    cases, refs = load_locked_eval(), load_locked_references()
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text("".join(json.dumps({"id": c.id, "output": json.dumps(refs[c.id]), "latency_ms": 120}) + "\n"
                            for c in cases), encoding="utf-8")
    bad.write_text("".join(json.dumps({"id": c.id, "output": "not json", "latency_ms": 90}) + "\n"
                           for c in cases), encoding="utf-8")
    result = runner.invoke(app, ["score", str(good), "--report", str(tmp_path / "good.json"), "--strict"])
    assert result.exit_code == 0, result.output
    assert "demo-ready: yes" in result.output
    monkeypatch.setenv("LLM_EVAL_STRICT", "true")
    result = runner.invoke(app, ["score", str(bad), "--report", str(tmp_path / "bad.json"), "--model", "base"])
    assert result.exit_code == 2 and "schema_valid_rate 0.0 < 0.98" in result.output
    assert f"top failures: invalid_json ({len(cases)})" in result.output
    result = runner.invoke(app, ["compare", str(tmp_path / "bad.json"), str(tmp_path / "good.json")])
    assert result.exit_code == 0 and "use candidate: yes" in result.output
    assert "top failures, baseline: invalid_json" in result.output
    partial = tmp_path / "partial.jsonl"
    partial.write_text(good.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["score", str(partial)])
    assert result.exit_code == 1 and "have no answer" in result.output


def test_demo_passes_its_training_options_to_the_recipe(monkeypatch):
    from protege.apps.showintent import demo
    from protege.apps.showintent.cli import DEMO_TRAIN_MINUTES

    seen = {}
    monkeypatch.setattr(demo, "run_demo", lambda **kw: seen.update(kw) or 0)
    result = runner.invoke(app, ["demo", "--rows", "50", "--max-steps", "3", "--trim-every", "1", "--written-share", "0.5"])
    assert result.exit_code == 0, result.output
    config = seen["train_config"]
    assert (seen["rows"], config.max_steps, config.trim_every, config.max_minutes) == (50, 3, 1, DEMO_TRAIN_MINUTES)
    assert seen["written_share"] == 0.5 and seen["deal"] is False
    assert config.learning_rate == protege.TrainConfig().learning_rate
    result = runner.invoke(app, ["demo", "--rows", "4000", "--epochs", "1", "--deal", "--train-minutes", "0", "--lr", "3e-4"])
    assert result.exit_code == 0, result.output
    config = seen["train_config"]
    assert (seen["rows"], config.epochs, config.max_minutes, seen["deal"]) == (4000, 1.0, None, True)
    assert config.learning_rate == 3e-4
    result = runner.invoke(app, ["demo", "--trim-every", "-1"])
    assert result.exit_code == 2 and "--trim-every" in result.output
