"""The two data sets the seed asks for: filtered (examples that pass every validator) and
unfiltered (every teacher example), built by the core's ``protege.build_dataset``.

``protege train SITE`` trains on the filtered set and ``protege train SITE --no-filter`` on the
unfiltered one. A trained version keeps its ``dataset.json`` (its training example ids and the
examples the validators removed), and that is enough to tell afterwards which set it was:
examples removed means filtered; a training example that fails a validator means unfiltered;
neither means both sets were the same. (The verdict uses today's validators: if they changed
since the version was trained, it can differ.)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import protege


def build(site: protege.CallSite, store: protege.Store, *, filtered: bool) -> tuple[dict, list]:
    """Build the data set of ``site`` (locking its eval split the first time, as training does):
    a summary, and the training examples."""
    data = protege.build_dataset(site, store, filter_with_validators=filtered)
    names = [v.name for v in site.validators]
    by_rule = Counter(rule for _, reason in data.filtered_out for rule in failed_rules(reason, names))
    summary = {
        "site": site.name, "fingerprint": site.fingerprint,
        "data_set": "filtered" if filtered else "unfiltered",
        "train": len(data.train), "eval": len(data.eval), "recent": len(data.recent),
        "filtered_out": len(data.filtered_out),
        "filtered_out_by_rule": dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
        "dataset_hash": data.hash,
        "train_with": f"protege train {site.name}" + ("" if filtered else " --no-filter"),
    }
    return summary, data.train


def failed_rules(reason: str, names: list[str]) -> list[str]:
    """The validators named in a filter reason (``"rule: why; other_rule: why"``; a reason may
    itself hold ``;``, so known names are looked for rather than the text split)."""
    if reason.startswith("schema:"):
        return ["schema"]
    return [n for n in names if reason.startswith(f"{n}: ") or f"; {n}: " in reason]


def write_jsonl(rows: list, path: Path) -> int:
    """Training examples as ``{"inputs", "output"}`` lines (what ``protege examples import`` reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({"inputs": row.inputs, "output": row.output}, ensure_ascii=False) + "\n")
    return len(rows)


def fails_validators(site: protege.CallSite, inputs: dict, output) -> bool:
    try:
        value = site.validate(output)
    except Exception:
        return True
    return any(not v.check(value, inputs).ok for v in site.validators)


def trained_on(site: protege.CallSite, store: protege.Store, version: protege.ModelVersion) -> str:
    """``filtered`` or ``unfiltered`` as the version's ``dataset.json`` records it; for versions
    trained before it was recorded, inferred: ``same`` when no example failed a validator (both
    sets were one), or ``unknown: why``."""
    path = Path(version.path) / "dataset.json"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"unknown: cannot read {path}: {exc}"
    if "filter_with_validators" in recorded:  # recorded by the trainer since it exists
        return "filtered" if recorded["filter_with_validators"] else "unfiltered"
    if recorded.get("filtered_out"):  # older versions: infer it
        return "filtered"
    rows = {r.id: r for r in store.examples(site.name, version.fingerprint)}
    missing = [i for i in recorded.get("train_ids", []) if i not in rows]
    if any(fails_validators(site, rows[i].inputs, rows[i].output) for i in recorded.get("train_ids", []) if i in rows):
        return "unfiltered"
    if missing:
        return f"unknown: {len(missing)} training example(s) are no longer in the store"
    return "same"


def versions(site: protege.CallSite, store: protege.Store) -> list[dict]:
    """Every version of ``site`` with the data set it was trained on."""
    return [{"site": site.name, "version": v.label, "n_train": v.n_train, "dataset_hash": v.dataset_hash,
             "trained_on": trained_on(site, store, v)} for v in protege.Registry(store).versions(site.name)]
