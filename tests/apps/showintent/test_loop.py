"""The ShowIntent call site through the real router and store, the policy after it, the dry-run
command, and the eval command on a real llama.cpp run of the base model."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from protege import router
from protege.apps.showintent.callsite import LABELS, parse_show_intent, translate
from protege.apps.showintent.cli import app
from protege.apps.showintent.generator import generate_rows
from protege.apps.showintent.metrics import load_locked_eval

runner = CliRunner()


def test_labelled_teacher_answers_through_the_router_and_the_policy_decides(store):
    rows = generate_rows(40, seed=3)
    fog = next(r for r in rows if r.expected_intent.get("effect") == "fog")
    for row in (rows[0], fog):
        LABELS.add(row.inputs, row.expected_intent)
        result = translate(**{k: row.inputs[k] for k in ("message", "show_state", "cue_catalog_subset", "chat_role", "user_role", "locale")})
        assert result.intent == row.expected_intent
        assert result.decision.decision == row.expected_decision
        assert result.answered_by == "teacher" and result.model == "showintent-labels"
    assert len(store.examples(parse_show_intent.site.name)) == 2


def test_a_message_nobody_can_label_becomes_a_blocked_request(store):
    result = translate("solta um laser verde na plateia agora", chat_role="operator", user_role="foh")
    assert result.intent["type"] == "blocked_request" and result.decision.decision == "block"
    assert "no label" in result.error
    call = store.calls(parse_show_intent.site.name, limit=1)[0]
    assert call["error"] and "no label" in call["error"]  # the failed teacher call is recorded


def test_dry_run_prints_intent_policy_and_who_answered(store):
    row = generate_rows(10, seed=4)[0]
    LABELS.add(row.inputs, row.expected_intent)
    params = {"message": {"text": row.inputs["message"], "chat_role": row.inputs["chat_role"],
                          "user_role": row.inputs["user_role"], "locale": row.inputs["locale"]},
              "show_state": row.inputs["show_state"], "cue_catalog_subset": row.inputs["cue_catalog_subset"]}
    result = runner.invoke(app, ["run", "--params", json.dumps(params)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["intent"] == row.expected_intent and printed["answered_by"] == "teacher"
    assert printed["policy"]["decision"] == row.expected_decision
    router.drain()


def test_eval_command_on_the_base_model_reports_every_case(store, tmp_path, monkeypatch):
    cases = [c for c in load_locked_eval() if "telegram" in c.tags][:2]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(c.model_dump_json(exclude_defaults=True) + "\n" for c in cases), encoding="utf-8")
    result = runner.invoke(app, ["eval", "--cases", str(path), "--model", "base", "--json", "--no-strict"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "base model, prompt only" and report["metrics"]["schema_valid_rate"] == 1.0
    assert [c["id"] for c in report["cases"]] == [c.id for c in cases]
    for case in report["cases"]:
        assert case["parsed_intent"]["type"] and case["decision"] in ("allow", "require_approval", "block")
        assert case["latency_ms"] > 0 and isinstance(case["failures"], list)
    page = Path(report["report"]).with_suffix(".html").read_text(encoding="utf-8")
    assert "showintent: base model, prompt only" in page and "demo-ready: " in page
    monkeypatch.setenv("LLM_SCHEMA_VERSION", "showintent.v9")
    result = runner.invoke(app, ["eval", "--cases", str(path), "--model", "base"])
    assert result.exit_code == 1 and "showintent.v1" in result.output


def test_the_demo_live_messages_carry_labels_the_policy_accepts_as_faithful():
    """The demo's live messages are answered by the labelled teacher when no student serves;
    each label is schema-valid and the policy decides on it as a show would expect."""
    from protege.apps.showintent.demo import LIVE_MESSAGES, _live_inputs
    from protege.apps.showintent.policy import decide
    from protege.apps.showintent.schema import SHOWINTENT_ADAPTER

    decisions = []
    for message, chat_role, user_role, locale, label in LIVE_MESSAGES:
        SHOWINTENT_ADAPTER.validate_python(label)
        inputs = _live_inputs(message, chat_role, user_role, locale)
        decisions.append(decide(label, message=message, show_state=inputs["show_state"],
                                cue_catalog_subset=inputs["cue_catalog_subset"], chat_role=chat_role,
                                user_role=user_role).decision)
    assert decisions == ["allow", "require_approval", "block", "block", "block", "allow", "allow", "block"]
