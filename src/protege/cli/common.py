"""Helpers shared by the CLI modules: the store, site lookup, and output as table or JSON."""

from __future__ import annotations

import importlib
import json
import sys
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from protege.callsite import CallSite
from protege.site_options import site_options
from protege.store import Store

# Piped output is not cut to 80 columns: site names are long and scripts grep them.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


def store() -> Store:
    return Store.default()


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def load_site(name: str) -> CallSite | None:
    """The CallSite behind ``module:qualname`` if its module can be imported here; else, for a
    site defined in another environment (a Jac program), the newest contract the store
    recorded for it; else None."""
    module_name, _, qualname = name.partition(":")
    if not qualname:
        return None
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:
        return _recorded_site(name)
    return getattr(obj, "site", None) if not isinstance(obj, CallSite) else obj


def _recorded_site(name: str) -> CallSite | None:
    return CallSite.latest_recorded(store(), name, **site_options(name))


def require_site(name: str) -> CallSite:
    """The importable CallSite behind ``name``, or a clear error."""
    site = load_site(name)
    if site is None:
        fail(
            f"cannot import call site {name!r}: name it as module:qualname of a @protege.llm function "
            "whose module imports from here (run from your project folder, or set PYTHONPATH)"
        )
    return site


def progress_bar(description: str):
    """A Rich progress bar; yields ``update(done, total)``."""
    @contextmanager
    def bar():
        with Progress(TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err_console) as progress:
            task = progress.add_task(description, total=None)
            yield lambda done, total: progress.update(task, completed=done, total=total)

    return bar()


def site_fingerprint(name: str, site: CallSite | None) -> str:
    """The fingerprint a command acts on: the importable site's, else the newest recorded one."""
    if site is not None:
        return site.fingerprint
    known = store().site_fingerprints(name)
    if not known:
        fail(f"unknown call site {name!r}: run it once, or name it as module:qualname importable from here")
    return known[0]["fingerprint"]


def print_rows(rows: list[dict], columns: list[str], *, as_json: bool, title: str | None = None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(rows, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(row.get(col)) for col in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)
