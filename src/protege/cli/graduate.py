"""`protege eval`, `protege gate`, `protege route`, `protege events`."""

from __future__ import annotations

import json
import sys

import typer

from protege.cli.common import (
    JSON_OPTION,
    console,
    fail,
    print_rows,
    progress_bar,
    require_site,
    store,
)
from protege.dataset import build_dataset
from protege.evaluate.promote import gate_site
from protege.evaluate.runner import evaluate_version, load_report, write_reports
from protege.graduation import graduation_of
from protege.registry import Registry, RegistryError
from protege.router import forget_state
from protege.students.runtime import StudentLoadError


def eval_(
    site: str = typer.Argument(..., help="Call site (module:qualname)."),
    version: int = typer.Option(None, help="Default: the candidate, else the active version."),
    split: str = typer.Option("eval", help="eval (the locked set) or recent (newer examples)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run a student version on the locked eval set; write JSON and HTML reports."""
    call_site = require_site(site)
    registry = Registry(store())
    found = registry.get(site, version) if version else (registry.alias(site, "candidate") or registry.alias(site, "active"))
    if found is None:
        fail(f"{site} has no student version; train one with `protege train {site}`")
    data = build_dataset(call_site, store())
    examples = data.eval if split == "eval" else data.recent
    if not examples:
        fail(f"{site} has no {split} examples yet")
    grad = graduation_of(call_site)
    try:
        with progress_bar(f"eval {found.label}") as update:
            report, _ = evaluate_version(call_site, found, examples, numeric_tolerance=grad.numeric_tolerance,
                                         criterion=grad.gate.criterion, progress=update)
    except StudentLoadError as exc:
        fail(str(exc))
    if split == "eval":
        registry.attach_eval(site, found.version, report.model_dump(mode="json"))
    active = registry.alias(site, "active")
    baseline = load_report(active.eval_report) if active and active.version != found.version else None
    json_path, html_path = write_reports(site, f"{found.label}-{split}", report, compare_to=baseline)
    summary = _summary(report, grad.gate.criterion) | {"version": found.version, "report_json": str(json_path), "report_html": str(html_path)}
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    print_rows([summary], list(summary), as_json=False, title=f"eval of {site} {found.label} on {split}")


def gate(
    site: str = typer.Argument(..., help="Call site (module:qualname)."),
    version: int = typer.Option(None, help="Default: the candidate."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Evaluate the candidate and promote it to active (route: shadow) if the gate holds."""
    call_site = require_site(site)
    try:
        with progress_bar("gate: evaluating") as update:
            outcome = gate_site(call_site, version=version, progress=update)
    except (RegistryError, StudentLoadError) as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.write(outcome.model_dump_json(indent=2) + "\n")
        return
    d = outcome.decision
    verdict = "[green]PROMOTED[/] (route: shadow)" if outcome.promoted else "[red]NOT PROMOTED[/]"
    console.print(f"{site} v{outcome.version}: {verdict}")
    for check in d.checks:
        console.print(f"  {'✔' if check.ok else '✘'} {check.rule}: {check.detail}")
    console.print(f"  report: {outcome.report_html}")


def route(
    site: str = typer.Argument(...),
    to: str = typer.Argument(..., help="teacher, shadow or student."),
) -> None:
    """Set a call site's route by hand (recorded as an event)."""
    registry = Registry(store())
    if to not in ("teacher", "shadow", "student"):
        fail("route must be teacher, shadow or student")
    if to != "teacher" and registry.alias(site, "active") is None:
        fail(f"{site} has no active student version; pass the gate first (`protege gate {site}`)")
    registry.set_route(site, to, reason="by hand")
    forget_state(site)
    console.print(f"{site}: route is now {to}")


def events(
    site: str = typer.Argument(None, help="Only this call site."),
    limit: int = typer.Option(30),
    as_json: bool = JSON_OPTION,
) -> None:
    """Training, gate decisions, promotions, rollbacks and route changes, with their numbers."""
    rows = Registry(store()).events(site, limit=limit)
    if not as_json:
        for row in rows:
            row["created_at"] = row["created_at"].strftime("%Y-%m-%d %H:%M:%S")
    print_rows(rows, ["id", "created_at", "site", "kind", "from_value", "to_value", "reason", "numbers"], as_json=as_json, title="events")


def _summary(report, criterion: str) -> dict:
    agreement = report.agreement.get(criterion)
    return {
        "n": report.n,
        "valid_json_rate": report.valid_json_rate,
        "schema_valid_rate": report.schema_valid_rate,
        "exact_match_rate": report.exact_match_rate,
        f"agreement_{criterion}": agreement.rate if agreement else None,
        "latency_p50_ms": report.latency.p50 if report.latency else None,
        "latency_p95_ms": report.latency.p95 if report.latency else None,
        "top_failures": [f.category for f in report.failures[:3]],
    }
