"""The promotion gate: each rule on its own, all failing rules reported, and live demotion."""

from __future__ import annotations

import pytest

from protege.evaluate import (
    EvalReport,
    EvalRow,
    GateConfig,
    decide,
    evaluate_rows,
    rolling_agreement,
    should_demote,
)


def report_with(successes: int, n: int, *, safety_failures: int = 0) -> EvalReport:
    """A real report from n rows: the first ``successes`` agree with the reference, the rest
    answer the wrong intent; the first ``safety_failures`` rows fail a safety validator."""
    rows = []
    for i in range(n):
        reference = {"type": "play", "track": f"t{i}"}
        answer = reference if i < successes else {"type": "stop"}
        safe = i >= safety_failures
        verdicts = {"allowed": (safe, "" if safe else "blocked", True)}
        rows.append(EvalRow(id=i, reference=reference, parsed=answer, schema_valid=True,
                            verdicts=verdicts))
    return evaluate_rows(rows)


CONFIG = GateConfig(min_samples=50, threshold=0.90, confidence=0.95, method="wilson",
                    criterion="fields", regression_margin=0.02)


def test_promotes_when_every_rule_passes():
    decision = decide(report_with(195, 200), None, CONFIG)
    assert decision.promote and decision.reasons == []
    numbers = decision.numbers
    assert (numbers["n"], numbers["successes"], numbers["rate"]) == (200, 195, 0.975)
    assert numbers["lower"] == pytest.approx(0.94283, abs=1e-4)
    assert numbers["active_rate"] is None
    assert [c.rule for c in decision.checks] == ["min_samples", "lower_bound", "safety"]


def test_refuses_too_few_samples_even_when_perfect():
    decision = decide(report_with(40, 40), None, CONFIG)
    assert not decision.promote
    assert len(decision.reasons) == 1
    assert decision.reasons[0] == "min_samples: n=40 evaluated rows, need at least 50"


def test_refuses_when_the_lower_bound_is_below_the_threshold():
    # 92 % observed on 100 rows: Wilson lower bound 0.8500 < 0.90
    decision = decide(report_with(92, 100), None, CONFIG)
    assert not decision.promote
    assert decision.numbers["lower"] == pytest.approx(0.85002, abs=1e-5)
    assert decision.reasons == [
        "lower_bound: fields agreement 92/100 = 0.920; "
        "wilson 95% lower bound 0.8500 vs threshold 0.9000"
    ]


def test_clopper_pearson_is_stricter_than_wilson_here():
    # 190/200 = 0.95: Wilson lower 0.91042 passes 0.91, Clopper-Pearson lower 0.90997 does not
    report = report_with(190, 200)
    config = CONFIG.model_copy(update={"threshold": 0.91})
    wilson = decide(report, None, config)
    assert wilson.promote and wilson.numbers["lower"] == pytest.approx(0.91042, abs=1e-5)
    exact = decide(report, None, config.model_copy(update={"method": "clopper_pearson"}))
    assert not exact.promote
    assert exact.numbers["lower"] == pytest.approx(0.90997, abs=1e-5)


def test_a_single_safety_failure_blocks_promotion():
    decision = decide(report_with(200, 200, safety_failures=1), None, CONFIG)
    assert not decision.promote
    assert decision.numbers["safety_failures"] == 1
    assert decision.reasons == ["safety: 1 safety validator failure(s), tolerance is 0"]


def test_regression_against_the_active_version():
    candidate = report_with(190, 200)  # 0.95
    better_active = report_with(198, 200)  # 0.99: candidate is 0.04 worse > margin 0.02
    decision = decide(candidate, better_active, CONFIG)
    assert not decision.promote
    assert decision.numbers["active_rate"] == 0.99
    assert decision.reasons == [
        "no_regression: candidate fields rate 0.9500 vs active 0.9900 (198/200) "
        "minus margin 0.0200 = 0.9700"
    ]
    within_margin = report_with(194, 200)  # 0.97: exactly at the floor, allowed
    assert decide(candidate, within_margin, CONFIG).promote


def test_every_failing_rule_is_reported():
    decision = decide(report_with(20, 30, safety_failures=2), report_with(30, 30), CONFIG)
    assert [r.split(":")[0] for r in decision.reasons] == [
        "min_samples", "lower_bound", "safety", "no_regression"]


def test_criterion_selects_what_counts_as_success():
    rows = [EvalRow(id=i, reference={"x": 1.0}, parsed={"x": 1.0 + 1e-3}, schema_valid=True)
            for i in range(60)]
    report = evaluate_rows(rows, numeric_tolerance=0.01)
    config = CONFIG.model_copy(update={"min_samples": 60})
    assert decide(report, None, config).promote  # fields: within tolerance
    assert not decide(report, None, config.model_copy(update={"criterion": "exact"})).promote
    assert decide(report, None, config.model_copy(update={"criterion": "validators"})).promote


def test_gate_config_documents_each_field():
    for name, field in GateConfig.model_fields.items():
        assert field.description, f"GateConfig.{name} has no docstring"


def test_rolling_agreement_uses_the_latest_window():
    outcomes = [False] * 50 + [True] * 100
    rate, lower, n = rolling_agreement(outcomes, window=100)
    assert (rate, n) == (1.0, 100)
    assert lower == pytest.approx(0.96301, abs=1e-4)
    rate, lower, n = rolling_agreement(outcomes, window=1000)
    assert (rate, n) == (pytest.approx(2 / 3), 150)
    assert rolling_agreement([], window=10) == (0.0, 0.0, 0)
    with pytest.raises(ValueError):
        rolling_agreement(outcomes, window=0)


def test_should_demote_waits_for_evidence_then_acts():
    config = GateConfig(threshold=0.9, monitor_window=100, monitor_min_samples=30)
    demote, reason = should_demote([False] * 10, config)
    assert not demote and "need 30" in reason
    # 20/30 = 0.667: upper bound 0.81 < 0.9 -> confidently worse
    demote, reason = should_demote([True] * 20 + [False] * 10, config)
    assert demote and reason.startswith("demote: live agreement 20/30")
    # 26/30 = 0.867 is below 0.9 but could be luck (upper bound 0.95): keep
    demote, reason = should_demote([True] * 26 + [False] * 4, config)
    assert not demote and reason.startswith("keep:")
    # old failures fall out of the window
    demote, _ = should_demote([False] * 100 + [True] * 100, config)
    assert not demote
