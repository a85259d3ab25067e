"""`protege sites` and `protege calls SITE`."""

from __future__ import annotations

import typer

from protege.cli.common import JSON_OPTION, print_rows, store


def sites(as_json: bool = JSON_OPTION) -> None:
    """List call sites: fingerprint, calls, examples and route."""
    rows = store().site_summaries()
    print_rows(rows, list(rows[0].keys()) if rows else ["site"], as_json=as_json, title="call sites")


def calls(
    site: str = typer.Argument(..., help="Call site name (module:qualname)."),
    limit: int = typer.Option(20, help="How many of the newest calls."),
    role: str = typer.Option(None, help="Only teacher or student calls."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the newest recorded calls of a call site."""
    rows = store().calls(site, limit=limit, role=role)
    columns = ["id", "created_at", "role", "model", "latency_ms", "tokens_in", "tokens_out", "parsed_output",
               "fallback", "error"]
    for row in rows:
        row["fallback"] = (row.get("meta") or {}).get("fallback_kind")
        if not as_json:
            row["created_at"] = row["created_at"].strftime("%Y-%m-%d %H:%M:%S")
    print_rows(rows, columns, as_json=as_json, title=f"calls of {site}")
