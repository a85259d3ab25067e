"""Graduation: the rules a call site's student lives by once it exists.

- :class:`Graduation` holds a site's gate and live checks (set with ``@protege.llm(graduation=...)``).
- ``note_shadow`` / ``note_spot_check``: live agreement between student and teacher. In shadow,
  the site moves to ``student`` once the gate's bound holds on live traffic too; in student,
  rolling agreement below the threshold demotes the site and rolls back to the previous active
  version. Each returns whether it changed the route, so the router reads it again. Every
  decision is an event with its numbers.

Promotion itself (evaluate the candidate on the locked set, apply the gate, make it active) is
:func:`protege.evaluate.promote.gate_site`: it needs the evaluator, which serving never loads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from protege.evaluate.gate import GateConfig, rolling_agreement, should_demote
from protege.registry import Registry, RegistryError
from protege.store import Store

if TYPE_CHECKING:
    from protege.callsite import CallSite


class Graduation(BaseModel):
    """How a call site graduates to its student and is watched afterwards."""

    gate: GateConfig = Field(default_factory=GateConfig, description="The promotion gate on the locked eval set.")
    numeric_tolerance: float = Field(1e-6, ge=0, description="Absolute tolerance when numbers are compared.")
    shadow_min_samples: int = Field(30, ge=1, description="Live shadow comparisons needed before serving.")
    spot_check_fraction: float = Field(0.05, ge=0.01, le=1.0, description="Share of student answers re-asked of the teacher (never below 1 %).")
    min_logprob: float | None = Field(None, description="Confidence floor; None uses the threshold calibrated on the eval.")
    auto_route: bool = Field(True, description="Move shadow -> student and demote by itself.")
    resample: int = Field(0, ge=0, le=16, description="Sampled student answers tried after one fails the schema "
                          "or a validator, before the teacher answers (each recorded; the gate scores the same way).")
    resample_temperature: float = Field(0.7, gt=0, le=2, description="Sampling temperature of those answers.")
    temperature: float = Field(0.0, ge=0, le=2, description="Temperature of the first answer: 0 = greedy; above 0 it "
                               "is sampled too (seed 0), for generators whose greedy answers degenerate or should vary; "
                               "the confidence floor then applies to no answer (it judges greedy ones).")
    base: str | None = Field(
        None, description="The student's base model: a name from `protege bases`, a .gguf path or an HF folder. "
        "None = the configured one (PROTEGE_BASE_MODEL), else the bundled smollm2-135m. A base set in the "
        "settings or given to `protege train --base` wins over this.")


def note_shadow(site: CallSite, version: int, store: Store, registry: Registry) -> bool:
    """After a shadow comparison: serve the student once live agreement holds the gate's bound.
    Returns whether the route changed."""
    grad = graduation_of(site)
    if not grad.auto_route or store.route(site.name) != "shadow":
        return False
    outcomes = store.live_outcomes(site.name, version, kinds=("shadow",), limit=grad.gate.monitor_window)
    rate, lower, n = rolling_agreement(outcomes, grad.gate.monitor_window, confidence=grad.gate.confidence, method=grad.gate.method)
    if n >= grad.shadow_min_samples and lower >= grad.gate.threshold:
        registry.set_route(site.name, "student", reason="shadow agreement holds the gate",
                           numbers={"version": version, "n": n, "rate": round(rate, 4), "lower": round(lower, 4),
                                    "threshold": grad.gate.threshold})
        return True
    return False


def note_spot_check(site: CallSite, version: int, store: Store, registry: Registry) -> bool:
    """After a spot check (a random, unbiased sample of requests): demote and roll back when
    agreement has fallen. Returns whether the route changed."""
    grad = graduation_of(site)
    if not grad.auto_route or store.route(site.name) != "student":
        return False
    outcomes = store.live_outcomes(site.name, version, kinds=("spot_check",), limit=grad.gate.monitor_window)
    demote, reason = should_demote(outcomes, grad.gate)
    if not demote:
        return False
    rate, lower, n = rolling_agreement(outcomes, grad.gate.monitor_window, confidence=grad.gate.confidence, method=grad.gate.method)
    numbers = {"version": version, "n": n, "rate": round(rate, 4), "lower": round(lower, 4), "threshold": grad.gate.threshold}
    try:
        back = registry.rollback(site.name, reason=f"demoted: {reason}", route="shadow", numbers=numbers)
        numbers["rolled_back_to"] = back.version
    except RegistryError:
        registry.set_route(site.name, "teacher", reason=f"demoted: {reason}; no earlier version", numbers=numbers)
    return True


def graduation_of(site: CallSite) -> Graduation:
    return getattr(site, "graduation", None) or Graduation()
