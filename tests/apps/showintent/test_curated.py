"""Curated CSV import: approval filter, redaction, policy re-check, all-or-nothing errors."""

from __future__ import annotations

import csv
import json

import pytest

from protege.apps.showintent.curated import HEADER, CuratedImportError, import_curated

FOG = json.dumps({"type": "arm_effect", "effect": "fog", "duration_seconds": 3, "intensity": 0.35})
TOKEN = "123456789:" + "A" * 35


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([row.get(col, "") for col in HEADER])
    return path


def good(**kw):
    base = {"id": "c1", "input": "deixa mais premium", "locale": "pt-BR", "current_mood": "warm",
            "expected_intent_json": json.dumps({"type": "change_mood", "mood": "premium"}),
            "expected_policy_decision": "allow", "tags": "mood,safe", "approved_by_human": "sim"}
    return {**base, **kw}


def test_imports_only_human_approved_rows(tmp_path):
    rows = [good(id=f"a{i}", approved_by_human=v) for i, v in enumerate(["true", "YES", "1", "approved", "Sim"])]
    rows += [good(id=f"n{i}", approved_by_human=v) for i, v in enumerate(["", "no", "false", "pending"])]
    result = import_curated(write(tmp_path / "c.csv", rows))
    assert [r.id for r in result.rows] == ["a0", "a1", "a2", "a3", "a4"]
    assert result.skipped_unapproved == 4
    row = result.rows[0]
    assert row.inputs["show_state"]["current_mood"] == "warm"
    assert row.inputs["locale"] == "pt-BR" and row.tags == ["mood", "safe"]
    example = row.to_example_in()
    assert example.source == "curated" and example.output == {"type": "change_mood", "mood": "premium"}
    assert example.provenance["csv_row"] == 2


def test_redacts_clients_tokens_phones_emails(tmp_path):
    intent = json.dumps({"type": "announce", "text": "Bem-vindos ao lançamento da Acme Bebidas!"})
    rows = [good(id="r1", input=f"anuncia o lançamento da Acme Bebidas, bot {TOKEN}",
                 expected_intent_json=intent, notes="falar com joana@acme.com ou +55 11 98765-4321",
                 context="Venue Secreta, camarim 3")]
    result = import_curated(write(tmp_path / "c.csv", rows), client_names=["Acme Bebidas", "Venue Secreta"])
    row = result.rows[0]
    dumped = json.dumps([row.inputs, row.expected_intent, row.notes], ensure_ascii=False)
    for secret in ("Acme", "joana@", "98765", TOKEN, "Venue Secreta"):
        assert secret not in dumped, secret
    assert "[REDACTED]" in row.expected_intent["text"] and "[BOT_TOKEN]" in row.inputs["message"]


def test_context_json_sets_state_roles_and_subset(tmp_path):
    context = json.dumps({"show_state": {"recent_effects": [{"effect": "fog", "at": "2026-05-14T21:29:40Z"}],
                                         "now": "2026-05-14T21:30:00Z"},
                          "cue_catalog_subset": ["neon_pulse"], "chat_role": "operator", "user_role": "foh"})
    rows = [good(id="f1", input="/fog", expected_intent_json=FOG, expected_policy_decision="block",
                 context=context, tags="fog;cooldown")]
    row = import_curated(write(tmp_path / "c.csv", rows)).rows[0]
    assert row.expected_decision == "block" and row.inputs["cue_catalog_subset"] == ["neon_pulse"]
    assert row.tags == ["fog", "cooldown"]


def test_label_disagreeing_with_policy_is_an_error_with_row_number(tmp_path):
    rows = [good(id="ok"),
            good(id="bad1", input="/fog", expected_intent_json=FOG, expected_policy_decision="allow"),
            good(id="bad2", expected_intent_json='{"type": "change_mood"}'),
            good(id="bad3", locale="fr"),
            good(id="bad4", expected_policy_decision="maybe"),
            good(id="ok")]
    path = write(tmp_path / "c.csv", rows)
    with pytest.raises(CuratedImportError) as info:
        import_curated(path)
    errors = info.value.errors
    assert len(errors) == 5
    assert errors[0].startswith("row 3 (id bad1): label says allow but the policy says require_approval")
    assert errors[1].startswith("row 4 (id bad2): expected_intent_json is not a ShowIntent")
    assert errors[2].startswith("row 5 (id bad3)") and errors[3].startswith("row 6 (id bad4)")
    assert errors[4] == "row 7 (id ok): duplicate id"
    partial = import_curated(path, skip_invalid=True)
    assert [r.id for r in partial.rows] == ["ok"] and len(partial.errors) == 5


def test_approval_required_label_is_accepted(tmp_path):
    rows = [good(id="a", input="/fog", expected_intent_json=FOG, expected_policy_decision="approval_required")]
    assert import_curated(write(tmp_path / "c.csv", rows)).rows[0].expected_decision == "require_approval"


def test_missing_header_column(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,input\n1,oi\n", encoding="utf-8")
    with pytest.raises(CuratedImportError, match="missing column"):
        import_curated(path)
