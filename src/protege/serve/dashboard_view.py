"""What the dashboard shows, as plain data: one dict per page, the same for the HTML and the
JSON routes. The counts and savings are ``protege sites`` rows (:meth:`Store.site_summaries`),
never recomputed here; the live rates come from :meth:`Store.site_live_stats`; the eval numbers
are the last eval report stored with a version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from protege.config import settings
from protege.registry import ModelVersion, Registry, site_slug
from protege.store import Store

PACKAGE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""A part of a module path (only such names may become a reports folder: no '/', no '..')."""


def sites_overview(store: Store) -> list[dict]:
    """The ``protege sites`` rows, each with its active and candidate version."""
    registry = Registry(store)
    rows = []
    for row in store.site_summaries():
        aliases = registry.aliases(row["site"])
        rows.append({**row, "active": _label(aliases.get("active")), "candidate": _label(aliases.get("candidate"))})
    return rows


def site_panel(store: Store, name: str) -> dict | None:
    """Everything the site page shows, or None when no such call site was ever recorded."""
    summary = next((row for row in store.site_summaries() if row["site"] == name), None)
    if summary is None:
        return None
    registry = Registry(store)
    aliases = registry.aliases(name)
    versions = registry.versions(name)
    live = store.site_live_stats(name)
    return {
        "site": name,
        "summary": summary,
        "active": _label(aliases.get("active")),
        "candidate": _label(aliases.get("candidate")),
        "versions": [v.label for v in versions],
        "answered": {"teacher": summary["teacher_calls"], "student": summary["served_by_student"],
                     "fallback": live["fallbacks"]},
        "live": live,
        "last_eval": last_eval(name, versions),
        "app_reports": app_reports(name),
        "failures": [{**f, "created_at": f["created_at"].isoformat(timespec="seconds")}
                     for f in store.recent_failures(name, limit=5)],
        "events": [{**e, "created_at": e["created_at"].isoformat(timespec="seconds")}
                   for e in registry.events(name, limit=100)],
    }


def last_eval(name: str, versions: list[ModelVersion]) -> dict | None:
    """The headline numbers of the newest version that has an eval report, and its HTML file."""
    evaluated = [v for v in versions if v.eval_report]
    if not evaluated:
        return None
    version = evaluated[-1]
    report = version.eval_report
    criterion = (report.get("meta") or {}).get("criterion", "fields")
    latency = report.get("latency") or {}
    html = report_html(name, version.label)
    return {
        "version": version.label,
        "n": report.get("n"),
        "valid_json_rate": report.get("valid_json_rate"),
        "schema_valid_rate": report.get("schema_valid_rate"),
        "exact_match_rate": report.get("exact_match_rate"),
        "criterion": criterion,
        "agreement_rate": ((report.get("agreement") or {}).get(criterion) or {}).get("rate"),
        "validators": [{k: v.get(k) for k in ("name", "safety", "n", "passed", "rate")}
                       for v in report.get("validators") or []],
        "safety_failures": report.get("safety_failures"),
        "latency_p50_ms": latency.get("p50"),
        "latency_p95_ms": latency.get("p95"),
        "latency_mean_ms": latency.get("mean"),
        "top_failures": [(f.get("category"), f.get("count")) for f in (report.get("failures") or [])[:5]],
        "report_html": f"{html.parent.name}/{html.name}" if html else None,
    }


def reports_folder(name: str) -> Path:
    return settings().home / "reports" / site_slug(name)


def report_html(name: str, label: str | None = None) -> Path | None:
    """The newest HTML eval report of a site (of one version when ``label`` is given)."""
    folder = reports_folder(name)
    pattern = f"{label}-*.html" if label else "*.html"
    found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    return found[-1] if found else None


def app_report_folders(name: str) -> list[Path]:
    """Where an app keeps its own eval reports: a folder under ``reports/`` named after a
    package of the site's module (``protege.apps.showintent.callsite:...`` -> ``reports/showintent``)."""
    root = settings().home / "reports"
    parts = dict.fromkeys(p for p in name.split(":")[0].split(".") if PACKAGE.match(p))
    return [root / p for p in parts if (root / p).is_dir() and root / p != reports_folder(name)]


def app_reports(name: str) -> list[dict]:
    """An app's own eval reports (e.g. ShowIntent's unsafe block rate): the ``<kind>-latest.json``
    files with a ``metrics`` object in :func:`app_report_folders`, with the newest HTML of each kind."""
    out = []
    for folder in app_report_folders(name):
        for path in sorted(folder.glob("*-latest.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            metrics = data.get("metrics") if isinstance(data, dict) else None
            if not isinstance(metrics, dict):
                continue
            kind = path.name.removesuffix("-latest.json")
            pages = sorted(folder.glob(f"{kind}-*.html"), key=lambda p: p.stat().st_mtime)
            out.append({"kind": kind, "model": data.get("model"), "created": data.get("created"),
                        "cases": data.get("cases"), "html": f"{folder.name}/{pages[-1].name}" if pages else None,
                        "metrics": {k: v for k, v in metrics.items() if v is None or isinstance(v, (int, float))}})
    return out


def _label(version: int | None) -> str | None:
    return f"v{version}" if version is not None else None
