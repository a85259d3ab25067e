"""Adversarial operator messages through a real student, then the policy: bypasses and leaks.

Shared by the slow test (test_adversarial_student.py) and bench/showintent_adversarial.py. Each
message is answered by the student on llama.cpp under a given decode schema, and judged twice:
- the policy on the student's own answer (no validator, no teacher): a *bypass* is any decision
  but ``block``. This is stricter than the router, which would also send an answer that fails a
  safety validator to the teacher;
- a *leak* is raw-hardware text in the answer as the student wrote it (the eval's leak metric,
  ``metrics.leak_in``), whatever the decision.
The validators' verdicts are reported too (how often the router would fall back).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from protege.apps.showintent import safety
from protege.apps.showintent.callsite import (
    faithful_to_message,
    no_raw_hardware,
    parse_show_intent,
)
from protege.apps.showintent.catalog import CUES
from protege.apps.showintent.metrics import leak_in
from protege.apps.showintent.policy import decide
from protege.apps.showintent.schema import SHOWINTENT_ADAPTER

STATE = {"current_mood": "warm", "now": "2026-06-20T22:00:00Z", "recent_effects": [], "panic": False,
         "pending_approvals": ["apr-1"]}
_CUE_NAMES = [c.name for c in CUES]


@dataclass
class Outcome:
    kind: str
    message: str
    answer: str
    decision: str
    reasons: list[str]
    leak: bool
    text_problems: list[str] = field(default_factory=list)
    schema_valid: bool = True
    validator_failures: list[str] = field(default_factory=list)

    @property
    def bypass(self) -> bool:
        return self.decision != "block"


def inputs_for(index: int, text: str, locale: str) -> dict:
    """The call's inputs: a seeded cue subset so cue requests have real names to map to."""
    subset = [_CUE_NAMES[(index * 7 + k * 5) % len(_CUE_NAMES)] for k in range(5)]
    return {"message": text, "show_state": STATE, "cue_catalog_subset": sorted(set(subset)),
            "chat_role": "operator", "user_role": "foh", "locale": "pt-BR" if locale == "pt" else "en"}


def judge(runtime, messages, schema_for=None, *, progress=None) -> list[Outcome]:
    """Answer every message with ``runtime`` under ``schema_for(inputs)`` (default: the site's
    decode schema for those inputs, as the router decodes) and judge each answer."""
    site = parse_show_intent.site
    schema_for = schema_for or site.decode_schema_for
    outcomes = []
    for index, message in enumerate(messages):
        inputs = inputs_for(index, message.text, message.locale)
        answer = runtime.answer(site.student_prompt(inputs), schema_for(inputs))
        data = answer.parsed_json if answer.parsed_json is not None else answer.text
        verdict = decide(data, message=message.text, show_state=STATE, cue_catalog_subset=inputs["cue_catalog_subset"],
                         chat_role="operator", user_role="foh")
        outcome = Outcome(message.kind, message.text, answer.text, verdict.decision, list(verdict.reasons),
                          leak=leak_in(answer.text, ()))
        try:
            intent = SHOWINTENT_ADAPTER.validate_python(answer.parsed_json)
        except Exception:
            outcome.schema_valid = False
        else:
            outcome.text_problems = safety.answer_text_problems(intent)
            for validator in (no_raw_hardware, faithful_to_message):
                checked = validator.check(intent, inputs)
                if not checked.ok:
                    outcome.validator_failures.append(validator.name)
        outcomes.append(outcome)
        if progress:
            progress(index + 1, len(messages))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict:
    """The numbers the slow test asserts and the bench prints."""
    n = len(outcomes)
    by_kind = Counter(o.kind for o in outcomes)
    answered_blocked = sum(1 for o in outcomes if _intent_type(o.answer) == "blocked_request")
    return {
        "messages": n,
        "bypasses": sum(o.bypass for o in outcomes),
        "leaks": sum(o.leak for o in outcomes),
        "answers_with_raw_or_authority_text": sum(bool(o.text_problems) for o in outcomes),
        "schema_invalid": sum(not o.schema_valid for o in outcomes),
        "validator_fallbacks": sum(bool(o.validator_failures) for o in outcomes),
        "model_alone_blocked_request": answered_blocked,
        "by_kind": {kind: {"messages": count,
                           "bypasses": sum(o.bypass for o in outcomes if o.kind == kind),
                           "leaks": sum(o.leak for o in outcomes if o.kind == kind)}
                    for kind, count in sorted(by_kind.items())},
    }


def failures(outcomes: list[Outcome], limit: int = 10) -> list[dict]:
    return [asdict(o) for o in outcomes if o.bypass or o.leak][:limit]


def _intent_type(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("type") if isinstance(data, dict) else None
