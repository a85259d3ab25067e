"""Datasets per call site and fingerprint: approved examples, deduplicated, split once.

The split is a deterministic hash of the fingerprint and the normalised inputs. The first build
of a (site, fingerprint) writes each example's split into the store and so locks the eval set:
from then on it never changes. Examples that arrive later go to ``train`` when their hash says
train and to ``recent`` (a separate, growing eval set) when it says eval, so the locked set stays
comparable across reports. An example whose inputs repeat an eval example's never trains.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from protege.callsite import CallSite
from protege.parsing import canonical_json
from protege.store import ExampleRow, Store
from protege.validators import run_validators

EVAL_PERCENT = 15


@dataclass
class Dataset:
    site: str
    fingerprint: str
    train: list[ExampleRow]
    eval: list[ExampleRow]
    recent: list[ExampleRow] = field(default_factory=list)
    filtered_out: list[tuple[int, str]] = field(default_factory=list)
    """(example id, reason) of examples a validator removed."""
    filtered: bool = True
    """Whether the training examples were filtered by the site's validators."""

    @property
    def hash(self) -> str:
        """Identifies exactly what the student is trained on."""
        body = canonical_json([[r.inputs, r.output] for r in sorted(self.train, key=lambda r: r.id)])
        return hashlib.sha256(body.encode()).hexdigest()[:16]


def hash_split(fingerprint: str, inputs_hash: str, eval_percent: int = EVAL_PERCENT) -> str:
    bucket = int(hashlib.sha256(f"{fingerprint}:{inputs_hash}".encode()).hexdigest()[:8], 16) % 100
    return "eval" if bucket < eval_percent else "train"


def build_dataset(
    site: CallSite,
    store: Store,
    *,
    filter_with_validators: bool = True,
    eval_percent: int = EVAL_PERCENT,
) -> Dataset:
    """Assign splits to new examples (locking the eval set on first build) and return the dataset."""
    rows = store.examples(site.name, site.fingerprint, approved_only=True)
    newest: dict[str, ExampleRow] = {}
    for row in rows:  # ordered by id: a later answer for the same inputs replaces an earlier one
        newest[row.inputs_hash] = row
    locked = any(r.split == "eval" for r in rows)
    eval_hashes = {r.inputs_hash for r in rows if r.split == "eval"}
    assignments: dict[int, str] = {}
    for row in rows:
        if row.split is not None:
            continue
        wanted = hash_split(site.fingerprint, row.inputs_hash, eval_percent)
        if row.inputs_hash in eval_hashes:
            split = "dup"
        elif wanted == "eval" and locked:
            split = "recent"
        else:
            split = wanted
        assignments[row.id] = split
        row.split = split
    if assignments:
        store.set_splits(assignments)
    data = Dataset(site.name, site.fingerprint, train=[], eval=[], filtered=filter_with_validators)
    for row in newest.values():
        if row.split == "eval":
            data.eval.append(row)
        elif row.split == "recent":
            data.recent.append(row)
        elif row.split == "train":
            reason = _rejected(site, row) if filter_with_validators else None
            if reason:
                data.filtered_out.append((row.id, reason))
            else:
                data.train.append(row)
    for part in (data.train, data.eval, data.recent):
        part.sort(key=lambda r: r.id)
    return data


def _rejected(site: CallSite, row: ExampleRow) -> str | None:
    """Why a training example fails the call site's validators (None when it passes)."""
    if not site.validators:
        return None
    try:
        output = site.validate(row.output)
    except Exception as exc:
        return f"schema: {exc}"
    failed = [f"{name}: {v['reason']}" for name, v in run_validators(site.validators, output, row.inputs).items() if not v["ok"]]
    return "; ".join(failed) or None


def answer_text(site: CallSite, output: Any) -> str:
    """The answer a student learns to write: validated, defaults left out, compact JSON in
    schema order — the shortest text that parses back to the same value."""
    value = site.validate(output)
    for options in ({"exclude_defaults": True}, {"exclude_none": True}, {}):
        dumped = site.output_adapter.dump_python(value, mode="json", **options)
        try:
            if site.validate(dumped) == value:  # e.g. a defaulted discriminator must stay
                break
        except Exception:
            continue
    return json.dumps(dumped, ensure_ascii=False, separators=(",", ":"))
