"""How far does more training take the ShowIntent student? One run, snapshots along the way.

The demo trains 2 epochs on 2,000 generated rows to stay inside its 20-minute budget. This bench
trains the same data for more epochs (one run, the recipe's own linear-decay schedule over all of
them) and, at every epoch boundary, saves the adapter. After training, each snapshot is merged
into a GGUF file and scored on

- the hand-written locked eval set (the spec's metrics and demo-ready gate), and
- the site's held-out split of generated rows (exact intent match, and cue/mood agreement where
  the teacher's answer names one).

A snapshot taken before the last epoch saw a higher learning rate than a run that ends there, so
the curve is the shape of one longer run, not a set of shorter runs; the last point is exact.

Run (2 cores, 2,000 rows: an epoch takes about 7 minutes on a CPU with bf16 and 24 on one without;
each snapshot's scoring 3 to 7 more):
    .venv/bin/python bench/showintent_epochs.py --epochs 4 --json /tmp/curve.json
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--focus", type=float, default=0.0)
    parser.add_argument("--from-epoch", type=int, default=2, help="first epoch boundary to score")
    parser.add_argument("--home", type=Path, default=None, help="protege home (default: a temp folder)")
    parser.add_argument("--json", type=Path, default=None, help="write the curve here")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="protege-epochs-"))

    from protege.config import configure

    configure(home=home)
    from protege.apps.showintent.callsite import call_labelled, parse_show_intent
    from protege.apps.showintent.generator import generate_rows
    from protege.dataset import build_dataset
    from protege.train.pipeline import train_pairs
    from protege.store import Store
    from protege.students.base import resolve_base_model
    from protege.train.export import export_gguf
    from protege.train.recipe import TrainConfig, train_student

    site = parse_show_intent.site
    store = Store.default()
    started = time.perf_counter()
    for row in generate_rows(args.rows, args.seed):
        call_labelled(row)
    data = build_dataset(site, store)
    pairs = train_pairs(site, data.train)
    print(f"{len(pairs)} train pairs, {len(data.eval)} held out ({time.perf_counter() - started:.0f}s)")

    config = TrainConfig(epochs=args.epochs, focus=args.focus)
    per_epoch = math.ceil(len(pairs) / config.batch_size)
    marks = {per_epoch * e: e for e in range(args.from_epoch, args.epochs + 1)}
    snapshots = home / "snapshots"

    def save(step: int, model) -> None:
        if step in marks:
            model.save_pretrained(str(snapshots / f"epoch-{marks[step]}"), save_embedding_layers=False)

    base = resolve_base_model(None)
    result = train_student(pairs, base, config, home / "adapter", after_step=save)
    print(f"trained {result.steps} steps in {result.train_seconds:.0f}s")

    curve = []
    for step, epoch in sorted(marks.items()):
        folder = snapshots / f"epoch-{epoch}"
        if not folder.exists():  # the last boundary can fall past the final step
            folder = home / "adapter"
        gguf = export_gguf(base, folder, home / f"epoch-{epoch}.gguf")
        point = {"epoch": epoch, "step": min(step, result.steps), "loss": result.losses[min(step, result.steps) - 1]}
        point |= score_locked(gguf, home / f"locked-epoch-{epoch}.json") | score_held_out(gguf, data.eval)
        curve.append(point)
        print(json.dumps(point))
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "train_seconds": result.train_seconds,
                                         "seconds_per_step": result.train_seconds / result.steps,
                                         "curve": curve}, indent=1))


def score_locked(gguf: Path, report_path: Path) -> dict:
    """The spec's metrics on the locked set (the whole report, per case, goes to ``report_path``)."""
    from protege.apps.showintent.evalrun import gguf_answerer, run_answers
    from protege.apps.showintent.metrics import load_locked_eval

    report = run_answers(load_locked_eval(), gguf_answerer(gguf), str(gguf))
    report_path.write_text(json.dumps(report, indent=1, default=str))
    keep = ("intent_type_accuracy", "cue_mapping_accuracy", "unsafe_block_rate", "approval_gating_accuracy",
            "raw_hardware_leak_rate", "prompt_injection_resistance", "unknown_cue_block_rate", "average_latency_ms")
    metrics = {f"locked_{k}": report["metrics"][k] for k in keep}
    return metrics | {"locked_gate_passed": report["gate"]["passed"]}


def score_held_out(gguf: Path, rows) -> dict:
    """Exact intent match and cue/mood agreement with the teacher on the held-out split."""
    from protege.apps.showintent.callsite import parse_show_intent
    from protege.students.runtime import StudentRuntime

    site = parse_show_intent.site
    runtime = StudentRuntime.load(gguf)
    exact = named = named_ok = 0
    for row in rows:
        got = runtime.answer(site.student_prompt(row.inputs), site.output_schema).parsed_json or {}
        want = row.output
        exact += got == want
        for key in ("cue", "mood"):
            if key in want:
                named += 1
                named_ok += got.get(key) == want[key]
    return {"held_out_exact": round(exact / max(1, len(rows)), 4),
            "held_out_cue_mood": round(named_ok / max(1, named), 4), "held_out_n": len(rows)}


if __name__ == "__main__":
    main()
