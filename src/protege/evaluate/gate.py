"""The promotion gate, and the rule that demotes a student whose live agreement drops.

A student is promoted only when the evidence says it is as good as the teacher:

1. enough evidence: at least ``min_samples`` evaluated rows;
2. good enough: the *lower* confidence bound of its agreement rate >= ``threshold``
   (a point estimate of 0.92 on 20 rows is not evidence of 0.90);
3. safe: zero safety-validator failures, whatever the sample size;
4. no worse than what serves now: its agreement rate is not below the active version's
   by more than ``regression_margin`` (point rates, both measured on the locked eval split).

Every failing rule is reported with its numbers, so a refusal says what to fix.

Demotion uses the mirror image: a live student is demoted only when the *upper* bound of its
rolling spot-check/shadow agreement is below the threshold, i.e. when we are confident it is
worse, not merely unlucky on a few requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from protege.evaluate.models import Criterion, EvalReport
from protege.evaluate.stats import IntervalMethod, proportion_interval


class GateConfig(BaseModel):
    """Settings of the promotion gate and of live demotion. Defaults suit a few hundred rows."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    min_samples: int = Field(default=50, ge=1)
    """Fewest evaluated rows a decision may rest on; below it the gate refuses."""

    threshold: float = Field(default=0.90, gt=0.0, le=1.0)
    """Required agreement: the lower confidence bound must be at least this."""

    confidence: float = Field(default=0.95, gt=0.0, lt=1.0)
    """Level of the two-sided interval whose lower bound is compared (0.95 -> 2.5 % one side)."""

    method: IntervalMethod = "wilson"
    """Interval method: ``wilson`` (default, tighter) or ``clopper_pearson`` (exact, wider)."""

    criterion: Criterion = "fields"
    """What counts as a success per row: ``exact``, ``fields`` (leaves agree within the
    numeric tolerance) or ``validators`` (schema-valid and every validator passes)."""

    regression_margin: float = Field(default=0.02, ge=0.0, le=1.0)
    """How far the candidate's agreement rate may fall below the active version's."""

    monitor_window: int = Field(default=200, ge=1)
    """Live demotion: how many of the latest shadow/spot-check outcomes are considered."""

    monitor_min_samples: int = Field(default=30, ge=1)
    """Live demotion: fewest outcomes in the window before a demotion may happen."""


class GateCheck(BaseModel):
    """One rule of the gate, whether it passed, and the numbers behind it."""

    rule: str
    ok: bool
    detail: str


class GateDecision(BaseModel):
    """The gate's answer: promote or not, every failing rule (``reasons``) and the numbers."""

    promote: bool
    reasons: list[str]
    checks: list[GateCheck]
    numbers: dict[str, Any]


def decide(candidate: EvalReport, active: EvalReport | None, config: GateConfig) -> GateDecision:
    """Apply the gate to a candidate's report (and the active version's, if one serves)."""
    stat = candidate.rate(config.criterion)
    lower, upper = proportion_interval(stat.successes, stat.n, config.confidence, config.method)
    pct = f"{config.confidence:.0%}"
    checks = [
        GateCheck(
            rule="min_samples",
            ok=stat.n >= config.min_samples,
            detail=f"n={stat.n} evaluated rows, need at least {config.min_samples}",
        ),
        GateCheck(
            rule="lower_bound",
            ok=stat.n > 0 and lower >= config.threshold,
            detail=(
                f"{config.criterion} agreement {stat.successes}/{stat.n} = {stat.rate:.3f}; "
                f"{config.method} {pct} lower bound {lower:.4f} vs threshold {config.threshold:.4f}"
            ),
        ),
        GateCheck(
            rule="safety",
            ok=candidate.safety_failures == 0,
            detail=f"{candidate.safety_failures} safety validator failure(s), tolerance is 0",
        ),
    ]
    numbers: dict[str, Any] = {
        "criterion": config.criterion,
        "method": config.method,
        "confidence": config.confidence,
        "n": stat.n,
        "successes": stat.successes,
        "rate": stat.rate,
        "lower": lower,
        "upper": upper,
        "threshold": config.threshold,
        "min_samples": config.min_samples,
        "safety_failures": candidate.safety_failures,
        "active_rate": None,
        "active_n": None,
        "margin": config.regression_margin,
    }
    if active is not None:
        active_stat = active.rate(config.criterion)
        numbers["active_rate"] = active_stat.rate
        numbers["active_n"] = active_stat.n
        floor = active_stat.rate - config.regression_margin
        checks.append(
            GateCheck(
                rule="no_regression",
                # a tiny epsilon so equal rates are never refused by float rounding
                ok=stat.rate >= floor - 1e-12,
                detail=(
                    f"candidate {config.criterion} rate {stat.rate:.4f} vs active "
                    f"{active_stat.rate:.4f} ({active_stat.successes}/{active_stat.n}) "
                    f"minus margin {config.regression_margin:.4f} = {floor:.4f}"
                ),
            )
        )
    reasons = [f"{c.rule}: {c.detail}" for c in checks if not c.ok]
    return GateDecision(promote=not reasons, reasons=reasons, checks=checks, numbers=numbers)


def rolling_agreement(
    outcomes: Sequence[bool],
    window: int,
    *,
    confidence: float = 0.95,
    method: IntervalMethod = "wilson",
) -> tuple[float, float, int]:
    """Agreement over the latest ``window`` outcomes: ``(rate, lower bound, n)``.

    ``outcomes`` are oldest first (True = the student agreed with the teacher). With no
    outcomes the rate is 0.0 and the lower bound 0.0.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    recent = list(outcomes)[-window:]
    n = len(recent)
    successes = sum(1 for ok in recent if ok)
    lower, _ = proportion_interval(successes, n, confidence, method)
    return (successes / n if n else 0.0), (lower if n else 0.0), n


def should_demote(outcomes: Sequence[bool], config: GateConfig) -> tuple[bool, str]:
    """Demote when the rolling agreement is confidently below the threshold.

    Uses the upper confidence bound over the last ``config.monitor_window`` outcomes and waits
    for ``config.monitor_min_samples`` outcomes, so a few unlucky requests never flip a route.
    """
    recent = list(outcomes)[-config.monitor_window:]
    n = len(recent)
    successes = sum(1 for ok in recent if ok)
    if n < config.monitor_min_samples:
        return False, (
            f"only {n} live outcome(s) in the window, need {config.monitor_min_samples} to judge"
        )
    _, upper = proportion_interval(successes, n, config.confidence, config.method)
    summary = (
        f"live agreement {successes}/{n} = {successes / n:.3f} over the last "
        f"{config.monitor_window}; {config.method} {config.confidence:.0%} upper bound "
        f"{upper:.4f} vs threshold {config.threshold:.4f}"
    )
    if upper < config.threshold:
        return True, f"demote: {summary}"
    return False, f"keep: {summary}"
