"""`protege train`, `protege export`, `protege models list|show|rollback`."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import typer

from protege.cli.common import (
    JSON_OPTION,
    console,
    err_console,
    fail,
    print_rows,
    require_site,
    store,
)
from protege.dataset import build_dataset
from protege.registry import Registry, RegistryError
from protege.router import forget_state
from protege.students.base import BaseModelError, file_sha256, resolve_base_model
from protege.train.export import write_ollama_modelfile
from protege.train.pipeline import NotEnoughExamples, train_site
from protege.train.recipe import TrainConfig

models_app = typer.Typer(help="Student versions of a call site: list, show, roll back.", no_args_is_help=True)


def train(
    site: str = typer.Argument(..., help="Call site (module:qualname)."),
    max_steps: int = typer.Option(None, help="Cap on optimizer steps."),
    epochs: float = typer.Option(None, help="Passes over the training examples."),
    batch_size: int = typer.Option(None, help="Examples per step."),
    learning_rate: float = typer.Option(None, "--lr", help="Peak learning rate."),
    rank: int = typer.Option(None, help="LoRA rank."),
    lora_layers: int = typer.Option(None, help="Adapt only the top N transformer blocks (faster steps)."),
    focus: float = typer.Option(None, help="Share of later epochs drawn by loss (0-1): unlearned pairs come back more."),
    max_minutes: float = typer.Option(None, help="Time budget: train only the steps that fit it."),
    trim_every: int = typer.Option(None, help="Return freed memory to the OS every N steps (1: Qwen 0.5B peaks at 7.4 GB instead of 12.2)."),
    quant: str = typer.Option("q8_0", help="GGUF export type: q8_0 or f16."),
    base_model: str = typer.Option(None, "--base", "--base-model", help="Base model: a name from `protege bases`, a .gguf path, an HF folder or id (default: the site's own, else the bundled smollm2-135m)."),
    no_filter: bool = typer.Option(False, "--no-filter", help="Train on examples that fail validators too."),
) -> None:
    """Train a LoRA student for a call site and register it as the candidate version."""
    call_site = require_site(site)
    overrides = {"max_steps": max_steps, "epochs": epochs, "batch_size": batch_size,
                 "learning_rate": learning_rate, "lora_rank": rank, "lora_layers": lora_layers, "focus": focus,
                 "max_minutes": max_minutes, "trim_every": trim_every}
    config = TrainConfig(**{k: v for k, v in overrides.items() if v is not None})
    try:
        base = resolve_base_model(base_model) if base_model else None
        data = build_dataset(call_site, store(), filter_with_validators=not no_filter)
        console.print(f"{site}: {len(data.train)} train, {len(data.eval)} locked eval, "
                      f"{len(data.recent)} recent, {len(data.filtered_out)} filtered out by validators")
        version = train_site(call_site, config=config, base=base, quant=quant, dataset=data)
    except (NotEnoughExamples, BaseModelError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted: nothing was registered", code=130)
    console.print(f"registered {site} {version.label} as candidate: {version.gguf_path}")
    console.print(json.dumps(version.metrics))


@models_app.command("list")
def list_(site: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """Versions of a call site's student, with their aliases."""
    registry = Registry(store())
    aliases = registry.aliases(site)
    rows = []
    for v in registry.versions(site):
        tags = ",".join(sorted(a for a, n in aliases.items() if n == v.version))
        agreement = ((v.eval_report or {}).get("agreement") or {}).get((v.eval_report or {}).get("meta", {}).get("criterion", "fields"), {})
        rows.append({"version": v.label, "aliases": tags, "created": v.created_at.strftime("%Y-%m-%d %H:%M"),
                     "n_train": v.n_train, "dataset": v.dataset_hash, "eval_agreement": agreement.get("rate"),
                     "gguf_sha256": (v.gguf_sha256 or "")[:12], "fingerprint": v.fingerprint})
    print_rows(rows, ["version", "aliases", "created", "n_train", "dataset", "eval_agreement", "gguf_sha256", "fingerprint"],
               as_json=as_json, title=f"versions of {site}")


@models_app.command("show")
def show(site: str = typer.Argument(...), version: int = typer.Option(None, help="Default: the active version."),
         as_json: bool = JSON_OPTION) -> None:
    """Everything recorded about one version."""
    registry = Registry(store())
    try:
        found = registry.get(site, version) if version else (registry.alias(site, "active") or registry.alias(site, "candidate"))
    except RegistryError as exc:
        fail(str(exc))
    if found is None:
        fail(f"{site} has no versions yet; train one with `protege train {site}`")
    data = {k: v for k, v in found.__dict__.items() if k != "eval_report"}
    data["file"] = file_state(found)
    data["eval"] = {k: (found.eval_report or {}).get(k) for k in ("n", "schema_valid_rate", "exact_match_rate", "agreement", "latency")}
    if as_json:
        sys.stdout.write(json.dumps(data, default=str, indent=2) + "\n")
    else:
        console.print_json(json.dumps(data, default=str))
        if data["file"] != "ok":
            err_console.print(f"[bold red]{found.label}'s model file is {data['file']}[/]")


def file_state(version) -> str:
    """``ok``, or what is wrong with a version's model file (it is served only when ``ok``)."""
    if not version.gguf_path:
        return "not exported"
    path = Path(version.gguf_path)
    if not path.is_file():
        return f"missing: {path} does not exist"
    actual = file_sha256(path)
    if version.gguf_sha256 and actual != version.gguf_sha256:
        return (f"damaged: sha256 {actual[:12]}... differs from the registered {version.gguf_sha256[:12]}...; "
                "the router sends its requests to the teacher")
    return "ok"


@models_app.command("rollback")
def rollback(site: str = typer.Argument(...), to: int = typer.Option(None, "--to", help="Version number to make active.")) -> None:
    """Make an earlier version active (atomic; recorded as an event)."""
    try:
        version = Registry(store()).rollback(site, to=to, reason="by hand")
    except RegistryError as exc:
        fail(str(exc))
    forget_state(site)
    console.print(f"{site}: active is now {version.label}")


def export(
    site: str = typer.Argument(...),
    format: str = typer.Option("gguf", "--format", help="gguf or ollama."),
    version: int = typer.Option(None, help="Default: the active version, else the candidate."),
    out: Path = typer.Option(Path("export"), "--out", "-o", help="Folder to write into."),
) -> None:
    """Copy a version's merged GGUF (and an Ollama Modelfile) out of the registry."""
    registry = Registry(store())
    found = registry.get(site, version) if version else (registry.alias(site, "active") or registry.alias(site, "candidate"))
    if found is None or not found.gguf_path:
        fail(f"{site} has no exported version; train one with `protege train {site}`")
    if format not in ("gguf", "ollama"):
        fail("--format must be gguf or ollama")
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{found.site.split(':')[-1]}-{found.label}.gguf"
    shutil.copyfile(found.gguf_path, target)
    console.print(f"wrote {target} (sha256 {found.gguf_sha256})")
    if format == "ollama":

        modelfile = write_ollama_modelfile(target, out)
        console.print(f"wrote {modelfile}; run: ollama create {found.site.split(':')[-1]} -f {modelfile}")
