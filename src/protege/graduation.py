"""Graduation: when a call site's student may answer, and when it must stop.

- ``gate_site``: evaluate the candidate on the locked eval set, apply the statistical gate, and on
  success make it active and move the site to ``shadow`` (never straight to ``student``).
- ``note_shadow`` / ``note_spot_check``: live agreement between student and teacher. In shadow,
  the site moves to ``student`` once the gate's bound holds on live traffic too; in student,
  rolling agreement below the threshold demotes the site and rolls back to the previous active
  version. Every decision is an event with its numbers.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from protege.callsite import CallSite
from protege.evaluate.gate import GateConfig, GateDecision, decide, rolling_agreement, should_demote
from protege.registry import ModelVersion, Registry, RegistryError
from protege.store import Store
from protege.students.runtime import StudentLoadError


class Graduation(BaseModel):
    """How a call site graduates to its student and is watched afterwards."""

    gate: GateConfig = Field(default_factory=GateConfig, description="The promotion gate on the locked eval set.")
    numeric_tolerance: float = Field(1e-6, ge=0, description="Absolute tolerance when numbers are compared.")
    shadow_min_samples: int = Field(30, ge=1, description="Live shadow comparisons needed before serving.")
    spot_check_fraction: float = Field(0.05, ge=0.01, le=1.0, description="Share of student answers re-asked of the teacher (never below 1 %).")
    min_logprob: float | None = Field(None, description="Confidence floor; None uses the threshold calibrated on the eval.")
    auto_route: bool = Field(True, description="Move shadow -> student and demote by itself.")


class GateOutcome(BaseModel):
    decision: GateDecision
    version: int
    promoted: bool
    report_json: str | None = None
    report_html: str | None = None


def gate_site(
    site: CallSite,
    *,
    version: int | None = None,
    store: Store | None = None,
    registry: Registry | None = None,
    progress=None,
) -> GateOutcome:
    """Evaluate a version (default: the candidate) and promote it if the gate holds."""
    from protege.dataset import build_dataset
    from protege.evaluate.runner import evaluate_version, load_report, write_reports

    store = store or Store.default()
    registry = registry or Registry(store)
    grad = graduation_of(site)
    candidate = registry.get(site.name, version) if version else registry.alias(site.name, "candidate")
    if candidate is None:
        raise RegistryError(f"{site.name} has no candidate version: train one first (`protege train {site.name}`)")
    data = build_dataset(site, store)
    report, _ = evaluate_version(
        site, candidate, data.eval, numeric_tolerance=grad.numeric_tolerance,
        criterion=grad.gate.criterion, progress=progress,
    )
    registry.attach_eval(site.name, candidate.version, report.model_dump(mode="json"))
    active = registry.alias(site.name, "active")
    active_report = load_report(active.eval_report) if active and active.version != candidate.version else None
    decision = decide(report, active_report, grad.gate)
    json_path, html_path = write_reports(site.name, candidate.label, report, compare_to=active_report, decision=decision)
    numbers = {**decision.numbers, "version": candidate.version, "report": str(json_path)}
    if decision.promote:
        try:  # before anything is recorded: the log never claims a promotion that did not happen
            _check_loads(candidate)
        except StudentLoadError as exc:
            registry.record_event(site.name, "gate", to_value=f"{candidate.label}:refuse",
                                  reason=f"the gate held but the version does not load: {exc}", numbers=numbers)
            raise
    verdict = "promote" if decision.promote else "refuse"
    registry.record_event(site.name, "gate", to_value=f"{candidate.label}:{verdict}",
                          reason="; ".join(decision.reasons) or "all rules hold", numbers=numbers)
    if decision.promote:
        registry.promote(site.name, candidate.version, reason="gate held on the locked eval set",
                         numbers=numbers, route="shadow")
        _forget(site)
    return GateOutcome(decision=decision, version=candidate.version, promoted=decision.promote,
                       report_json=str(json_path), report_html=str(html_path))


def note_shadow(site: CallSite, version: int, store: Store, registry: Registry) -> None:
    """After a shadow comparison: serve the student once live agreement holds the gate's bound."""
    grad = graduation_of(site)
    if not grad.auto_route or store.route(site.name) != "shadow":
        return
    outcomes = store.live_outcomes(site.name, version, kinds=("shadow",), limit=grad.gate.monitor_window)
    rate, lower, n = rolling_agreement(outcomes, grad.gate.monitor_window, confidence=grad.gate.confidence, method=grad.gate.method)
    if n >= grad.shadow_min_samples and lower >= grad.gate.threshold:
        registry.set_route(site.name, "student", reason="shadow agreement holds the gate",
                           numbers={"version": version, "n": n, "rate": round(rate, 4), "lower": round(lower, 4),
                                    "threshold": grad.gate.threshold})
        _forget(site)


def note_spot_check(site: CallSite, version: int, store: Store, registry: Registry) -> None:
    """After a spot check (a random, unbiased sample of requests): demote and roll back when
    agreement has fallen."""
    grad = graduation_of(site)
    if not grad.auto_route or store.route(site.name) != "student":
        return
    outcomes = store.live_outcomes(site.name, version, kinds=("spot_check",), limit=grad.gate.monitor_window)
    demote, reason = should_demote(outcomes, grad.gate)
    if not demote:
        return
    rate, lower, n = rolling_agreement(outcomes, grad.gate.monitor_window, confidence=grad.gate.confidence, method=grad.gate.method)
    numbers = {"version": version, "n": n, "rate": round(rate, 4), "lower": round(lower, 4), "threshold": grad.gate.threshold}
    try:
        back = registry.rollback(site.name, reason=f"demoted: {reason}", route="shadow", numbers=numbers)
        numbers["rolled_back_to"] = back.version
    except RegistryError:
        registry.set_route(site.name, "teacher", reason=f"demoted: {reason}; no earlier version", numbers=numbers)
    _forget(site)


def graduation_of(site: CallSite) -> Graduation:
    return getattr(site, "graduation", None) or Graduation()


def _check_loads(version: ModelVersion) -> None:
    """A version whose file does not load is never made active; the current one keeps serving."""
    from protege.students.runtime import StudentRuntime

    StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256)


def _forget(site: CallSite) -> None:
    from protege.router import forget_state

    forget_state(site.name)
