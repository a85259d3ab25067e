"""Promotion: evaluate a candidate version on the locked eval set, apply the statistical gate,
and only when it holds (and the version loads) make it active, with the site moved to ``shadow``
— never straight to ``student``. Every verdict is an event with its numbers; the event says
``promote`` only after the version was seen to load.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from protege import router
from protege.callsite import CallSite
from protege.dataset import build_dataset
from protege.evaluate.gate import GateDecision, decide
from protege.evaluate.runner import evaluate_version, load_report, write_reports
from protege.graduation import graduation_of
from protege.registry import ModelVersion, Registry, RegistryError
from protege.store import Store
from protege.students.runtime import StudentLoadError, StudentRuntime


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
    progress: Callable[[int, int], None] | None = None,
) -> GateOutcome:
    """Evaluate a version (default: the candidate) and promote it if the gate holds."""
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
            check_loads(candidate)
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
        router.forget_state(site.name)
    return GateOutcome(decision=decision, version=candidate.version, promoted=decision.promote,
                       report_json=str(json_path), report_html=str(html_path))


def check_loads(version: ModelVersion) -> None:
    """A version whose file does not load is never made active; the current one keeps serving."""
    StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256)
