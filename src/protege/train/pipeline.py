"""Train one call site end to end: dataset -> LoRA recipe -> GGUF export -> registered version.

Everything is written into a staging folder first; only a complete run is registered, so Ctrl-C
or a killed process never leaves a half-registered version (see :mod:`protege.registry`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from protege.callsite import CallSite
from protege.config import settings
from protege.dataset import Dataset, answer_text, build_dataset
from protege.graduation import graduation_of
from protege.parsing import canonical_json
from protege.registry import ModelVersion, Registry
from protege.store import ExampleRow, Store
from protege.students.base import BaseModel, file_sha256, resolve_base_model
from protege.train.export import export_gguf, write_ollama_modelfile
from protege.train.recipe import TrainConfig, TrainPair, train_student

GGUF_NAME = "student.gguf"


class NotEnoughExamples(RuntimeError):
    pass


def train_site(
    site: CallSite,
    *,
    config=None,
    store: Store | None = None,
    registry: Registry | None = None,
    base: BaseModel | None = None,
    quant: str = "q8_0",
    min_examples: int = 1,
    progress: Callable[[int, int, float], None] | None = None,
    dataset: Dataset | None = None,
) -> ModelVersion:
    """Train, export and register a new candidate version of ``site``'s student."""
    store = store or Store.default()
    registry = registry or Registry(store)
    base = base or base_for(site)
    config = config or TrainConfig()
    data = dataset or build_dataset(site, store)
    if len(data.train) < min_examples:
        raise NotEnoughExamples(
            f"{site.name} has {len(data.train)} training example(s) for fingerprint {site.fingerprint}; "
            f"at least {min_examples} needed. Call it with a teacher, or import examples."
        )
    staging = registry.staging_dir(site.name)
    try:
        result = train_student(train_pairs(site, data.train), base, config, staging / "adapter", progress=progress)
        export_gguf(base, staging / "adapter", staging / GGUF_NAME, quant=quant)
        write_ollama_modelfile(staging / GGUF_NAME, staging)
        (staging / "dataset.json").write_text(json.dumps({
            "site": site.name, "fingerprint": site.fingerprint, "dataset_hash": data.hash,
            "train_ids": [r.id for r in data.train], "eval_ids": [r.id for r in data.eval],
            "filter_with_validators": data.filtered, "filtered_out": data.filtered_out,
        }, indent=1))
        (staging / "output_schema.json").write_text(json.dumps(site.output_schema))
        metrics = {
            "steps": result.steps, "planned_steps": result.planned_steps, "final_loss": result.final_loss,
            "train_seconds": round(result.train_seconds, 2),
            "tokens_per_second": round(result.tokens_per_second, 1), "peak_rss_mb": round(result.peak_rss_mb),
            "n_eval": len(data.eval), "quant": quant,
        }
        return registry.register(
            site.name, site.fingerprint, staging,
            base_model=base.id, base_sha256=file_sha256(base.gguf_path) if base.gguf_path else None,
            gguf_file=GGUF_NAME, dataset_hash=data.hash, n_train=len(data.train),
            train_config=result.config | {"student_inputs": site.student_inputs,
                                          "student_hints": site.hints_name,
                                          "filter_with_validators": data.filtered,
                                          "decode_schema": _narrowing(site)}, metrics=metrics,
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def train_pairs(site: CallSite, rows: list[ExampleRow]) -> list[TrainPair]:
    """What the student learns from each example: its own prompt, and the answer as it writes it."""
    return [TrainPair(prompt=site.student_prompt(r.inputs), answer=answer_text(site, r.output)) for r in rows]


def version_gguf(version: ModelVersion) -> Path:
    if not version.gguf_path:
        raise FileNotFoundError(f"{version.site} {version.label} has no GGUF export")
    return Path(version.gguf_path)


def base_for(site: CallSite) -> BaseModel:
    """The base a site's student trains on: the configured one (PROTEGE_BASE_MODEL, configure),
    else the site's own (``Graduation(base=...)``), else the bundled default."""
    return resolve_base_model(settings().base_model or graduation_of(site).base)


def _narrowing(site: CallSite) -> str | None:
    """A short hash of the site's decode schema when it narrows the output schema, else None."""
    if site.decode_schema == site.output_schema:
        return None
    return hashlib.sha256(canonical_json(site.decode_schema).encode()).hexdigest()[:16]
