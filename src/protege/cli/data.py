"""`protege examples export|import`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from protege.cli.common import console, fail, load_site, site_fingerprint, store
from protege.examples_io import (
    ImportRowsError,
    read_jsonl_examples,
    write_jsonl_examples,
)

app = typer.Typer(help="Export and import a call site's examples (JSONL of {inputs, output}).", no_args_is_help=True)


@app.command("export")
def export(
    site: str = typer.Argument(..., help="Call site name (module:qualname)."),
    out: Path = typer.Option(None, "--out", "-o", help="File to write; standard output when omitted."),
    fingerprint: str = typer.Option(None, help="A fingerprint other than the newest."),
    split: str = typer.Option(None, help="Only this split (train, eval, recent)."),
) -> None:
    """Write a call site's examples as JSONL."""
    fp = fingerprint or site_fingerprint(site, load_site(site))
    rows = store().examples(site, fp, split=split)
    text = write_jsonl_examples(rows, out)
    if out is None:
        sys.stdout.write(text)
    else:
        console.print(f"wrote {len(rows)} example(s) of {site} ({fp}) to {out}")


@app.command("import")
def import_(
    site: str = typer.Argument(..., help="Call site name (module:qualname)."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL rows of {inputs, output}."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the good rows even if some are bad."),
    fingerprint: str = typer.Option(None, help="Fingerprint to file the rows under (default: the site's)."),
    source: str = typer.Option("import", help="Provenance: import, curated or synthetic."),
) -> None:
    """Import examples. Nothing is imported when any row is bad, unless --skip-invalid."""
    call_site = load_site(site)
    fp = fingerprint or site_fingerprint(site, call_site)
    required = call_site.input_schema.get("required", []) if call_site else []
    with file.open(encoding="utf-8") as fh:
        result = read_jsonl_examples(
            fh, validate_output=call_site.validate if call_site else None, required_inputs=required, source=source
        )
    if result.errors and not skip_invalid:
        fail(str(ImportRowsError(result.errors)))
    for error in result.errors:
        console.print(f"[yellow]skipped[/] {error}")
    ids = store().add_examples(site, fp, result.rows)
    console.print(f"imported {len(ids)} example(s) into {site} ({fp}); skipped {len(result.errors)}")
