"""The ShowIntent student on each named base, side by side (issue 13's table: bench/bases.md).

    python bench/bases.py run --base gemma3-270m --minutes 12 --home runs/gemma-12
    python bench/bases.py table runs/*            # one markdown row per finished run

`run` is the demo's whole loop (teacher -> train -> gate -> shadow -> live -> locked eval) in
its own protege home, with 2 torch threads fixed (so that a busy machine does not shrink the
run silently) and `--minutes 0` for the whole plan. `table` reads what each run left in its
home: the version's training metrics, the gate's held-out bound, the locked-set report, and it
times the student's answers on 1 and 2 threads itself (40 locked-case prompts each, after a
warm-up answer), so every latency in a row comes from the same moment on the same machine.
Not a test: a run takes from 15 minutes (SmolLM2, demo budget) to an hour (Qwen, whole plan).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

LOCKED_METRICS = ["intent_type_accuracy", "policy_decision_accuracy", "cue_mapping_accuracy",
                  "approval_gating_accuracy", "unsafe_block_rate", "raw_hardware_leak_rate",
                  "schema_valid_rate", "unknown_cue_block_rate"]


def run(args) -> int:
    os.environ["PROTEGE_HOME"] = str(Path(args.home).resolve() / "home")
    os.environ["PROTEGE_BASE_MODEL"] = args.base
    if args.cue_glosses:  # read when the site is defined: before the app is imported
        os.environ["PROTEGE_SHOWINTENT_CUE_GLOSSES"] = "1"
    from rich.console import Console

    import protege
    from protege.apps.showintent.demo import run_demo
    from protege.cli.common import progress_bar

    config = protege.TrainConfig(threads=args.threads, max_minutes=args.minutes or None, trim_every=args.trim_every,
                                 epochs=args.epochs, learning_rate=args.lr, focus=args.focus)
    Path(args.home).mkdir(parents=True, exist_ok=True)
    (Path(args.home) / "run.json").write_text(json.dumps({"base": args.base, "minutes": args.minutes, "trim_every": args.trim_every,
                                                          "written_share": args.written_share, "rows": args.rows, "deal": args.deal,
                                                          "epochs": args.epochs, "focus": args.focus, "learning_rate": args.lr, "cue_glosses": args.cue_glosses,
                                                          "started": time.strftime("%Y-%m-%d %H:%M:%S")}))
    return run_demo(rows=args.rows, seed=args.seed, train_config=config, console=Console(width=150),
                    progress_bar=progress_bar, strict=False, written_share=args.written_share, deal=args.deal)


def row(run_dir: Path) -> dict:
    os.environ["PROTEGE_HOME"] = str(run_dir.resolve() / "home")
    info = json.loads((run_dir / "run.json").read_text())
    if info.get("cue_glosses"):
        os.environ["PROTEGE_SHOWINTENT_CUE_GLOSSES"] = "1"
    import protege
    from protege.apps.showintent.callsite import parse_show_intent
    from protege.apps.showintent.metrics import case_inputs, load_locked_eval

    site = parse_show_intent.site
    registry = protege.Registry(protege.Store.default())
    version = registry.versions(site.name)[-1]
    metrics = version.metrics or {}
    gate = next((e for e in registry.events(site.name, limit=200) if e["kind"] == "gate"), None)
    report = json.loads((run_dir / "home" / "reports" / "showintent" / "post-training-latest.json").read_text())
    cases = [case_inputs(case) for case in load_locked_eval()[:40]]
    prompts = [(site.student_prompt(inputs), inputs) for inputs in cases]
    timings = {threads: answer_times(version, site, prompts, threads) for threads in (1, 2)}
    return {
        "base": info["base"], "budget_min": info["minutes"] or "whole plan",
        "steps": f"{metrics.get('steps')} of {metrics.get('planned_steps')}",
        "s_per_step": round(metrics["train_seconds"] / metrics["steps"], 2),
        "train_tok_s": metrics.get("tokens_per_second"), "peak_rss_gb": round(metrics.get("peak_rss_mb", 0) / 1024, 1),
        "gguf_mb": round(Path(version.gguf_path).stat().st_size / 1e6),
        "p50_1t": timings[1][0], "p95_1t": timings[1][1], "p50_2t": timings[2][0], "p95_2t": timings[2][1],
        "gate_lower": (gate or {}).get("numbers", {}).get("lower"),
        **{name: report["metrics"].get(name) for name in LOCKED_METRICS},
        "injection_pass_through": report.get("prompt_injection_pass_through"),
        "demo_ready": report["gate"]["passed"],
    }


def answer_times(version, site, prompts: list[tuple[str, dict]], threads: int) -> tuple[float, float]:
    import protege

    runtime = protege.StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256, n_threads=threads)
    runtime.answer(prompts[0][0], site.decode_schema_for(prompts[0][1]))
    times = []
    for prompt, inputs in prompts:
        started = time.perf_counter()
        runtime.answer(prompt, site.decode_schema_for(inputs))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return round(statistics.median(times)), round(times[int(0.95 * (len(times) - 1))])


def table(args) -> int:
    """One row per run, each read in its own interpreter (a protege home is chosen per process)."""
    rows = [json.loads(subprocess.run([sys.executable, __file__, "row", d], check=True, capture_output=True,
                                      text=True).stdout.splitlines()[-1]) for d in args.runs]
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join("-" if r[k] is None else str(r[k]) for k in keys) + " |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("run")
    one.add_argument("--base", required=True)
    one.add_argument("--minutes", type=float, default=12.0, help="training budget; 0 = the whole plan")
    one.add_argument("--threads", type=int, default=2)
    one.add_argument("--trim-every", type=int, default=0, help="malloc_trim every N steps (1: Qwen 0.5B peaks at 7.4 GB instead of 12.2)")
    one.add_argument("--written-share", type=float, default=0.0, help="hand-written cue/mood requests (session 11)")
    one.add_argument("--rows", type=int, default=2000, help="labelled operator messages (the demo's 2,000)")
    one.add_argument("--epochs", type=float, default=2.0, help="passes over the training pairs (TrainConfig's 2)")
    one.add_argument("--focus", type=float, default=0.0, help="share of later epochs drawn by loss (TrainConfig's 0)")
    one.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (TrainConfig's 1e-3)")
    one.add_argument("--seed", type=int, default=0, help="the generator's seed")
    one.add_argument("--deal", action="store_true", help="deal each list of phrasings in turn (session 14)")
    one.add_argument("--cue-glosses", action="store_true",
                     help="show the student each screen cue's Portuguese gloss (PROTEGE_SHOWINTENT_CUE_GLOSSES=1; session 21)")
    one.add_argument("--home", required=True)
    many = sub.add_parser("table")
    many.add_argument("runs", nargs="+")
    sub.add_parser("row").add_argument("run_dir")
    args = parser.parse_args()
    if args.command == "row":
        print(json.dumps(row(Path(args.run_dir))))
        return 0
    return run(args) if args.command == "run" else table(args)


if __name__ == "__main__":
    sys.exit(main())
