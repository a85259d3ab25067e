"""Training memory against step time: how often to hand freed heap pages back to the OS.

Resident memory during training grows far past the live tensors: batches of different widths
free and allocate differently sized activations, and glibc keeps the freed blocks in its heap
(bench/bases.md, where training memory goes). ``TrainConfig.trim_every`` calls glibc's
``malloc_trim`` every N optimizer steps. This bench trains the real recipe on the ShowIntent
demo's rows for a fixed number of steps, once per setting, each in a fresh process (a fresh
heap), settings interleaved over rounds so that a slow stretch of the machine hits all of them,
and reports peak RSS, RSS after the last step and seconds per step.

``--site rpg-map`` trains on the RPG map site's long pairs instead, and ``--batch-tokens``
compares pass sizes (bench/rpg.md).

Run (2 cores; Qwen, 30 steps: about 4 minutes per run; bench/bases.md's table came from
``--steps 30 --trim 0,1,4 --rounds 1``, and for SmolLM2 ``--base smollm2-135m --steps 40 --trim 0,1``):
    .venv/bin/python bench/train_memory.py --base qwen2.5-coder-0.5b --steps 30 --trim 0,1,4 \\
        --rounds 2 --json runs/train-memory.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="qwen2.5-coder-0.5b")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--trim", default="0,1,8", help="trim_every settings, comma-separated (0 = never)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=2000, help="ShowIntent rows, or RPG levels (10 per game)")
    parser.add_argument("--site", choices=("showintent", "rpg-map"), default="showintent",
                        help="whose pairs: the ShowIntent demo's, or the RPG map site's (answers of ~760 tokens)")
    parser.add_argument("--batch-tokens", default="4096",
                        help="TrainConfig.batch_tokens settings, comma-separated (most padded tokens per pass)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--home", type=Path, default=None, help="protege home with the rows (default: made here)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # child: one run
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args, args.one, args.batch_tokens)))
        return
    home = args.home or Path(tempfile.mkdtemp(prefix="protege-memory-"))
    if args.home is None:
        generate(home, args.rows, args.site)
    settings = [(int(t), int(b)) for t in args.trim.split(",") for b in args.batch_tokens.split(",")]
    runs = []
    for round_ in range(args.rounds):
        for trim, batch_tokens in settings:
            command = [sys.executable, __file__, "--one", str(trim), "--home", str(home), "--base", args.base,
                       "--steps", str(args.steps), "--threads", str(args.threads), "--site", args.site,
                       "--batch-tokens", str(batch_tokens)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            run = json.loads(out.strip().splitlines()[-1]) | {"round": round_}
            runs.append(run)
            print(f"round {round_} trim_every={trim} batch_tokens={batch_tokens}: peak {run['peak_rss_mb'] / 1024:.1f} GB, "
                  f"after last step {run['rss_after_mb'][-1] / 1024:.1f} GB, {run['s_per_step']:.2f} s/step, "
                  f"mean loss {statistics.mean(run['losses']):.4f}",
                  flush=True)
    print("\n| trim_every | batch_tokens | peak RSS (GB) per round | RSS after the last step (GB) | s/step per round |")
    print("|---|---|---|---|---|")
    for trim, batch_tokens in settings:
        mine = [r for r in runs if (r["trim_every"], r["batch_tokens"]) == (trim, batch_tokens)]
        peaks = ", ".join(f"{r['peak_rss_mb'] / 1024:.1f}" for r in mine)
        after = ", ".join(f"{r['rss_after_mb'][-1] / 1024:.1f}" for r in mine)
        speed = ", ".join(f"{r['s_per_step']:.2f}" for r in mine)
        print(f"| {trim or 'never'} | {batch_tokens} | {peaks} | {after} | {speed} (mean "
              f"{statistics.mean(r['s_per_step'] for r in mine):.2f}) |")
    if args.json:
        args.json.write_text(json.dumps({"base": args.base, "site": args.site, "steps": args.steps, "runs": runs}, indent=1))


def generate(home: Path, rows: int, site: str) -> None:
    """The demo's rows, answered by its label teacher, or RPG games played by the procedural
    teacher through both call sites, recorded in ``home``."""
    from protege.config import configure

    configure(home=home)
    if site == "rpg-map":
        from protege.apps.rpg.demo import LEVELS_PER_GAME, PYTHON

        for game in range(max(1, rows // LEVELS_PER_GAME)):
            PYTHON.play(game, LEVELS_PER_GAME)
        return
    from protege.apps.showintent.callsite import call_labelled
    from protege.apps.showintent.generator import generate_rows

    for row in generate_rows(rows, 0):
        call_labelled(row)


def one_run(args, trim: int, batch_tokens: str) -> dict:
    from protege.config import configure

    configure(home=args.home)
    from protege.apps.showintent.callsite import parse_show_intent
    from protege.dataset import build_dataset
    from protege.store import Store
    from protege.students.base import resolve_base_model
    from protege.train.machine import rss_mb
    from protege.train.pipeline import train_pairs
    from protege.train.recipe import TrainConfig, train_student

    if args.site == "rpg-map":
        from protege.apps.rpg.demo import PYTHON

        site = PYTHON.sites(Store.default())["map"]
    else:
        site = parse_show_intent.site
    pairs = train_pairs(site, build_dataset(site, Store.default()).train)
    config = TrainConfig(max_steps=args.steps, threads=args.threads, trim_every=trim, batch_tokens=int(batch_tokens))
    after: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        result = train_student(pairs, resolve_base_model(args.base), config, Path(out) / "adapter",
                               after_step=lambda step, model: after.append(round(rss_mb())))
    return {"trim_every": trim, "batch_tokens": int(batch_tokens), "losses": result.losses, "steps": result.steps, "s_per_step": result.train_seconds / result.steps,
            "peak_rss_mb": result.peak_rss_mb, "rss_after_mb": after}


if __name__ == "__main__":
    main()
