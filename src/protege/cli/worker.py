"""`protege worker`: background training of call sites that have enough new examples."""

from __future__ import annotations

import importlib
import time

import typer

from protege.cli.common import console, fail, load_site, store
from protege.train.recipe import TrainConfig
from protege.worker import WorkerConfig, run_forever, run_once


def worker(
    imports: list[str] = typer.Option([], "--import", help="Module(s) defining your call sites (repeatable)."),
    min_new: int = typer.Option(50, help="Train when a site has this many new approved examples."),
    window: str = typer.Option(None, help="Low-usage window HH:MM-HH:MM (local time)."),
    max_rate: float = typer.Option(None, help="Train only while the site gets fewer calls per minute than this."),
    poll: float = typer.Option(60.0, help="Seconds between checks."),
    max_steps: int = typer.Option(None, help="Cap on training steps per run."),
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    no_gate: bool = typer.Option(False, "--no-gate", help="Do not gate new versions."),
) -> None:
    """Train sites in the background: one at a time, under a lease, in the low-usage window."""
    for module in imports:
        try:
            importlib.import_module(module)
        except Exception as exc:
            fail(f"cannot import {module}: {exc}")
    sites = [s for s in (load_site(name) for name in store().site_names()) if s is not None]
    if not sites:
        fail("no importable call sites in the store: pass --import with the module that defines them")
    config = WorkerConfig(min_new_examples=min_new, window=window, max_calls_per_minute=max_rate,
                          poll_seconds=poll, gate_after_training=not no_gate)
    train_config = TrainConfig(max_steps=max_steps) if max_steps else None
    console.print(f"worker watching {len(sites)} call site(s): {', '.join(s.name for s in sites)}")

    def report(did: list[str]) -> None:
        for line in did:
            console.print(f"{time.strftime('%H:%M:%S')} {line}")

    if once:
        report(run_once(sites, config, train_config=train_config))
        return
    run_forever(sites, config, train_config=train_config, on_pass=report)
