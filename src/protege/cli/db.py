"""`protege db upgrade|current`."""

from __future__ import annotations

import typer

from protege.cli.common import console
from protege.config import settings
from protege.store import engine

app = typer.Typer(help="The store's database.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Create or migrate the store's tables to the newest revision."""
    url = settings().resolved_db_url
    eng = engine.create_engine(url)
    before = engine.current_revision(eng)
    after = engine.upgrade(eng)
    console.print(f"store {eng.url.render_as_string(hide_password=True)}: {before or 'empty'} -> {after}")


@app.command()
def current() -> None:
    """Print the store's migration revision."""
    eng = engine.create_engine(settings().resolved_db_url)
    console.print(engine.current_revision(eng) or "empty (run `protege db upgrade`)")
