"""The `protege` command. Apps add command groups through the `protege.cli` entry point group,
the same way a third-party plugin would; the core never imports an app."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from protege.cli import bases, data, db, graduate, runtime, serve, sites, students, worker

app = typer.Typer(help="protege: capture teacher calls, train a student per call site, gate, route.", no_args_is_help=True)
app.command("sites")(sites.sites)
app.command("calls")(sites.calls)
app.add_typer(data.app, name="examples")
app.command("train")(students.train)
app.command("export")(students.export)
app.add_typer(students.models_app, name="models")
app.command("eval")(graduate.eval_)
app.command("gate")(graduate.gate)
app.command("route")(graduate.route)
app.command("events")(graduate.events)
app.command("worker")(worker.worker)
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(runtime.app, name="runtime")
app.add_typer(bases.app, name="bases")


def _add_plugins(root: typer.Typer) -> None:
    for ep in entry_points(group="protege.cli"):
        try:
            root.add_typer(ep.load(), name=ep.name)
        except Exception as exc:  # a broken plugin must not take the core CLI down
            @root.command(ep.name, help=f"(unavailable: {exc})")
            def _broken(exc=exc, name=ep.name) -> None:
                raise SystemExit(f"the {name} commands failed to load: {exc}")


def main() -> None:
    _add_plugins(app)
    app()
