"""Import human-curated rehearsal rows (the plan's CSV) as curated examples.

Only rows a human approved count (approved_by_human is true/yes/1/approved/sim). Every text is
redacted before it can reach the store — client and venue names given by the caller, bot tokens,
phone numbers, e-mails, keys — and every label is re-checked by the policy: a row whose
expected_policy_decision disagrees is an error in the row. Errors name the CSV row. By default
one bad row stops the whole import (nothing half-imported); ``skip_invalid`` imports the rest.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from protege import ExampleIn, redact_text, redact_value
from protege.apps.showintent.policy import decide, normalize_decision
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER, intent_to_dict

HEADER = ("id", "input", "locale", "context", "current_mood", "expected_intent_json",
          "expected_policy_decision", "tags", "notes", "approved_by_human")
APPROVED = frozenset({"true", "yes", "1", "approved", "sim"})
CONTEXT_KEYS = frozenset({"show_state", "cue_catalog_subset", "chat_role", "user_role"})


@dataclass(frozen=True)
class CuratedRow:
    id: str
    row_number: int
    inputs: dict[str, Any]
    expected_intent: dict[str, Any]
    expected_decision: str
    tags: list[str]
    notes: str = ""

    def to_example_in(self) -> Any:
        return ExampleIn(inputs=self.inputs, output=self.expected_intent, source="curated", approved=True,
                         tags=self.tags, provenance={"curated_id": self.id, "csv_row": self.row_number,
                                                     "expected_policy_decision": self.expected_decision,
                                                     "notes": self.notes})


@dataclass
class CuratedImport:
    rows: list[CuratedRow] = field(default_factory=list)
    skipped_unapproved: int = 0
    errors: list[str] = field(default_factory=list)  # "row N (id X): what is wrong"


class CuratedImportError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} curated row(s) are invalid; nothing was imported "
                         "(fix them or pass --skip-invalid):\n" + "\n".join(errors))


def _locale(value: str) -> str:
    v = value.strip().lower()
    if v in ("pt-br", "pt", "pt_br"):
        return "pt-BR"
    if v in ("en", "en-us", "en-gb", "en_us"):
        return "en"
    raise ValueError(f"locale {value!r} is not pt-BR or en")


def _context(value: str, terms: Sequence[str]) -> tuple[dict[str, Any], str]:
    """JSON object -> structured context; any other text is kept (redacted) as a note."""
    text = value.strip()
    if not text.startswith("{"):
        return {}, redact_text(text, extra_terms=terms)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"context is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or set(data) - CONTEXT_KEYS:
        raise ValueError(f"context JSON may only have keys {sorted(CONTEXT_KEYS)}")
    return redact_value(data, extra_terms=terms), ""


def _row(raw: dict[str, str], number: int, terms: Sequence[str]) -> CuratedRow:
    ident = raw["id"].strip()
    message = redact_text(raw["input"].strip(), extra_terms=terms)
    if not ident or not message:
        raise ValueError("id and input must not be empty")
    context, context_note = _context(raw["context"] or "", terms)
    state = {"current_mood": None, "panic": False, "pending_approvals": [], "recent_effects": []}
    state.update(context.get("show_state") or {})
    if raw["current_mood"].strip():
        state["current_mood"] = redact_text(raw["current_mood"].strip(), extra_terms=terms)
    if state["current_mood"] is None:
        del state["current_mood"]
    inputs = {"message": message, "show_state": state,
              "cue_catalog_subset": list(context.get("cue_catalog_subset") or []),
              "chat_role": context.get("chat_role", "operator"), "user_role": context.get("user_role", "foh"),
              "locale": _locale(raw["locale"])}
    try:
        intent = SHOWINTENT_ADAPTER.validate_json(raw["expected_intent_json"])
        intent = SHOWINTENT_ADAPTER.validate_python(redact_value(intent_to_dict(intent), extra_terms=terms))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"expected_intent_json is not a ShowIntent: {err['loc']} {err['msg']}") from None
    label = normalize_decision(raw["expected_policy_decision"])
    verdict = decide(intent, message=message, show_state=state, cue_catalog_subset=inputs["cue_catalog_subset"],
                     chat_role=inputs["chat_role"], user_role=inputs["user_role"])
    if verdict.decision != label:
        raise ValueError(f"label says {label} but the policy says {verdict.decision} "
                         f"({'; '.join(verdict.reasons)}): fix the row, never the policy")
    tags = [t.strip() for t in raw["tags"].replace(";", ",").replace("|", ",").split(",") if t.strip()]
    notes = "; ".join(x for x in (redact_text(raw["notes"].strip(), extra_terms=terms), context_note) if x)
    return CuratedRow(ident, number, inputs, intent_to_dict(intent), label, tags, notes)


def import_curated(source: str | Path | io.TextIOBase, *, client_names: Sequence[str] = (),
                   skip_invalid: bool = False) -> CuratedImport:
    """Read a curated CSV (a path, or an open text file) into redacted, policy-checked rows."""
    if isinstance(source, (str, Path)):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            return import_curated(handle, client_names=client_names, skip_invalid=skip_invalid)
    reader = csv.DictReader(source)
    missing = [c for c in HEADER if c not in (reader.fieldnames or [])]
    if missing:
        raise CuratedImportError([f"row 1 (header): missing column(s) {missing}; expected {','.join(HEADER)}"])
    result, seen = CuratedImport(), set()
    for number, raw in enumerate(reader, start=2):
        raw = {k: (raw.get(k) or "") for k in HEADER}
        if raw["approved_by_human"].strip().lower() not in APPROVED:
            result.skipped_unapproved += 1
            continue
        try:
            row = _row(raw, number, client_names)
            if row.id in seen:
                raise ValueError("duplicate id")
        except ValueError as exc:
            result.errors.append(f"row {number} (id {raw['id'].strip() or '?'}): {exc}")
            continue
        seen.add(row.id)
        result.rows.append(row)
    if result.errors and not skip_invalid:
        raise CuratedImportError(result.errors)
    return result
