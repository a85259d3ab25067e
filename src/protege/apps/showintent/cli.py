"""`protege showintent ...`: synthetic data and curated imports for the AI Party call site.

Files are written in the same JSONL shape `protege examples import` reads ({inputs, output,
tags, provenance}), so a generated file can be inspected, edited and imported later.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import typer

import protege
from protege.apps.showintent.curated import CuratedImportError, import_curated
from protege.apps.showintent.generator import Row, generate_rows
from protege.cli.common import console, fail, progress_bar

# The demo's training budget, so the loop stays within 20 minutes on 2 cores. Measured: where the
# CPU has AVX512-BF16, the 2-epoch plan (422 steps) took 13.7 min and the rest of the loop 3 min;
# on an AVX2-only EPYC a step took 6.6-7.2 s instead of 1.95 (plan: 51 min) and the gate and
# locked evals 6 min. 12 minutes keeps both under 20 and trains most of the plan on the former.
DEMO_TRAIN_MINUTES = 12.0

app = typer.Typer(help="AI Party ShowIntent: data, eval, dry runs and the whole loop (demo).", no_args_is_help=True)


def _console():
    return console


def _fail(message: str) -> None:
    fail(message)


def _call_site() -> Any:
    from protege.apps.showintent.callsite import parse_show_intent

    return parse_show_intent.site


def _store_examples(examples: list[Any]) -> None:
    site = _call_site()
    required = set(site.input_schema.get("required", []))
    if examples and (missing := required - set(examples[0].inputs)):
        _fail(f"the call site {site.name} needs inputs {sorted(missing)} that these rows do not have")
    store = protege.Store.open()
    store.register_site(site.name, site.fingerprint, site.input_schema, site.output_schema)
    ids = store.add_examples(site.name, site.fingerprint, examples)
    _console().print(f"stored {len(ids)} example(s) for {site.name} ({site.fingerprint})")


def _row_json(row: Row, seed: int) -> dict[str, Any]:
    return {"inputs": row.inputs, "output": row.expected_intent, "tags": list(row.tags),
            "provenance": {"generator": "showintent", "seed": seed, "category": row.category,
                           "expected_policy_decision": row.expected_decision, "split": row.split}}


@app.command("generate")
def generate(
    rows: int = typer.Option(2000, "--rows", "-n", min=1, help="How many rows to generate."),
    seed: int = typer.Option(0, "--seed", help="Same seed, same rows."),
    out: Path = typer.Option(None, "--out", "-o", help="Write JSONL rows to this file."),
    store: bool = typer.Option(False, "--store", help="Add the rows to the store as synthetic examples."),
) -> None:
    """Generate deterministic synthetic rows, each labelled by the policy."""
    if out is None and not store:
        _fail("say where the rows go: --out FILE.jsonl and/or --store")
    generated = generate_rows(rows, seed)
    payload = [_row_json(r, seed) for r in generated]
    if out is not None:
        tmp = out.with_suffix(out.suffix + ".part")  # no half-written file if interrupted
        tmp.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payload), encoding="utf-8")
        tmp.replace(out)
        _console().print(f"wrote {len(payload)} row(s) to {out}")
    if store:
        _store_examples([protege.ExampleIn(inputs=p["inputs"], output=p["output"], source="synthetic", tags=p["tags"],
                                   provenance=p["provenance"]) for p in payload])
    categories = Counter(r.category for r in generated)
    locales = Counter(r.inputs["locale"] for r in generated)
    _console().print("categories: " + ", ".join(f"{k} {v}" for k, v in sorted(categories.items())))
    _console().print("locales: " + ", ".join(f"{k} {v}" for k, v in sorted(locales.items())))


@app.command("import-curated")
def import_curated_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Curated CSV (the plan's header)."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the good rows even if some are bad."),
    client_name: list[str] = typer.Option([], "--client-name", help="A client or venue name to redact (repeat)."),
    out: Path = typer.Option(None, "--out", "-o", help="Also write the imported rows as JSONL."),
    store: bool = typer.Option(True, "--store/--no-store", help="Add the rows to the store as curated examples."),
) -> None:
    """Import human-approved curated rows, redacted and re-checked by the policy."""
    try:
        result = import_curated(file, client_names=client_name, skip_invalid=skip_invalid)
    except CuratedImportError as exc:
        _fail(str(exc))
        return
    for error in result.errors:
        _console().print(f"[yellow]skipped[/] {error}")
    examples = [row.to_example_in() for row in result.rows]
    if out is not None:
        out.write_text("".join(json.dumps({"inputs": e.inputs, "output": e.output, "tags": e.tags,
                                           "provenance": e.provenance}, ensure_ascii=False) + "\n"
                               for e in examples), encoding="utf-8")
    if store:
        _store_examples(examples)
    _console().print(f"imported {len(examples)} curated row(s); {result.skipped_unapproved} not approved by a "
                     f"human; {len(result.errors)} invalid")


def _strict_from_env() -> bool:
    import os

    return os.environ.get("LLM_EVAL_STRICT", "").strip().lower() in ("1", "true", "yes")


@app.command("score")
def score(
    outputs: Path = typer.Argument(..., exists=True, dir_okay=False,
                                   help="JSONL of {id, output, latency_ms}: one model answer per eval case."),
    eval_file: Path = typer.Option(None, "--eval", help="Eval cases (default: the locked eval set)."),
    model: str = typer.Option("", "--model", help="Model label written into the report."),
    report_path: Path = typer.Option(None, "--report", help="Write the full report as JSON."),
    max_latency_ms: float = typer.Option(None, "--max-latency-ms", help="Make p95 latency a hard limit."),
    strict: bool = typer.Option(None, "--strict/--no-strict",
                                help="Fail unless demo-ready (default: LLM_EVAL_STRICT)."),
) -> None:
    """Score model answers on the eval set: metrics, failure categories, demo-ready gate."""
    from protege.apps.showintent.metrics import CaseResult, evaluate, load_eval_cases, load_locked_eval

    cases = load_eval_cases(eval_file) if eval_file else load_locked_eval()
    answers = {}
    for number, line in enumerate(outputs.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            if not isinstance(row, dict) or "id" not in row or "output" not in row:
                _fail(f"{outputs} line {number}: expected an object with id and output")
            answers[row["id"]] = row
    if missing := [c.id for c in cases if c.id not in answers]:
        _fail(f"{len(missing)} eval case(s) have no answer, e.g. {missing[:3]}")
    results = [CaseResult(c, str(answers[c.id]["output"]), answers[c.id].get("latency_ms")) for c in cases]
    report = evaluate(results, model=model, max_latency_ms=max_latency_ms)
    if report_path is not None:
        report_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    from protege.apps.showintent.metrics import format_report

    _console().print(format_report(report), markup=False)
    if (strict if strict is not None else _strict_from_env()) and not report["gate"]["passed"]:
        raise typer.Exit(2)


@app.command("compare")
def compare(
    baseline: Path = typer.Argument(..., exists=True, dir_okay=False, help="Baseline report JSON."),
    candidate: Path = typer.Argument(..., exists=True, dir_okay=False, help="Post-training report JSON."),
) -> None:
    """Baseline vs post-training, side by side, with top failure categories."""
    from protege.apps.showintent.metrics import compare_reports, format_comparison

    load = lambda p: json.loads(p.read_text(encoding="utf-8"))  # noqa: E731
    comparison = compare_reports(load(baseline), load(candidate))
    _console().print(format_comparison(comparison), markup=False)


def _eval_setup(model: str | None) -> str:
    from protege.apps.showintent.evalrun import EvalSetupError, check_schema_version, resolve_model

    try:
        check_schema_version()
        return resolve_model(model)
    except EvalSetupError as exc:
        _fail(str(exc))


@app.command("eval")
def eval_cmd(
    cases_file: Path = typer.Option(None, "--cases", exists=True, dir_okay=False,
                                    help="Eval cases JSONL (default: the locked eval set)."),
    model: str = typer.Option(None, "--model", help="student | student@N | base | teacher | ollama:NAME | openai:NAME (default: LLM_MODE)."),
    strict: bool = typer.Option(None, "--strict/--no-strict", help="Exit non-zero unless demo-ready (default: LLM_EVAL_STRICT)."),
    max_latency_ms: float = typer.Option(None, "--max-latency-ms", help="Make p95 latency a hard limit."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics and every case as JSON."),
) -> None:
    """Run a model over eval cases: every metric and failure category, and the demo-ready gate."""
    import sys

    from protege.apps.showintent.evalrun import EvalSetupError, run_eval, save_report
    from protege.apps.showintent.metrics import load_eval_cases, load_locked_eval

    chosen = _eval_setup(model)
    try:
        cases = load_eval_cases(cases_file) if cases_file else load_locked_eval()
    except ValueError as exc:
        _fail(str(exc))
    try:
        with progress_bar(f"eval {chosen}") as update:
            report = run_eval(cases, chosen, progress=update, max_latency_ms=max_latency_ms)
    except EvalSetupError as exc:
        _fail(str(exc))
    path = save_report(report, "eval")
    if as_json:
        keep = ("id", "raw_output", "parsed_intent", "decision", "latency_ms", "failures")
        sys.stdout.write(json.dumps({
            "model": report["model"], "schema_version": report["schema_version"], "metrics": report["metrics"],
            "gate": report["gate"], "top_failures": report["top_failures"], "report": str(path),
            "cases": [{k: o[k] for k in keep} for o in report["outcomes"]],
        }, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_report(report, path)
    if (strict if strict is not None else _strict_from_env()) and not report["gate"]["passed"]:
        raise typer.Exit(2)


@app.command("baseline")
def baseline_cmd(
    model: str = typer.Option("base", "--model", help="The model to baseline (default: the untrained base model)."),
    cases_file: Path = typer.Option(None, "--cases", exists=True, dir_okay=False),
) -> None:
    """Write a timestamped baseline report (default: the base model, prompt only, same decoding)."""
    from protege.apps.showintent.evalrun import run_eval, save_report
    from protege.apps.showintent.metrics import load_eval_cases, load_locked_eval

    chosen = _eval_setup(model)
    cases = load_eval_cases(cases_file) if cases_file else load_locked_eval()
    with progress_bar(f"baseline {chosen}") as update:
        report = run_eval(cases, chosen, progress=update)
    _print_report(report, save_report(report, "baseline"))


def _print_report(report: dict, path: Path) -> None:
    from protege.apps.showintent.evalrun import latest_report
    from protege.apps.showintent.metrics import compare_reports, format_comparison, format_report

    console = _console()
    console.print(f"model: {report['model']}  cases: {report['cases']}")
    console.print(format_report(report), markup=False)
    baseline = latest_report("baseline")
    if baseline and baseline.get("model") != report["model"]:
        console.print(format_comparison(compare_reports(baseline, report)), markup=False)
    console.print(f"report: {path}")


@app.command("run")
def run_cmd(
    params: str = typer.Option(..., "--params", help='JSON like {"message":{"text":"deixa mais premium","chat_role":"operator","user_role":"foh"}}'),
) -> None:
    """Dry run: one operator message through the router; prints the intent, the policy decision and who answered."""
    from protege.apps.showintent.callsite import translate

    try:
        data = json.loads(params)
        message = data["message"]
        text = message["text"] if isinstance(message, dict) else str(message)
    except (ValueError, KeyError, TypeError) as exc:
        _fail(f"--params must be JSON with message.text ({exc})")
    meta = message if isinstance(message, dict) else {}
    result = translate(
        text, show_state=data.get("show_state"), cue_catalog_subset=data.get("cue_catalog_subset"),
        chat_role=meta.get("chat_role", "operator"), user_role=meta.get("user_role", "foh"),
        locale=meta.get("locale") or data.get("locale") or "pt-BR",
    )
    protege.drain()
    print(json.dumps({
        "intent": result.intent,
        "policy": {"decision": result.decision.decision, "reasons": list(result.decision.reasons)},
        "answered_by": result.answered_by, "model": result.model, "fallback": result.fallback,
        "latency_ms": round(result.latency_ms, 1), "error": result.error,
    }, ensure_ascii=False, indent=1))


@app.command("demo")
def demo_cmd(
    rows: int = typer.Option(2000, "--rows", help="Labelled operator messages the teacher answers."),
    seed: int = typer.Option(0, "--seed"),
    max_steps: int = typer.Option(None, "--max-steps", help="Cap on training steps."),
    epochs: float = typer.Option(None, "--epochs", help="Passes over the training examples."),
    learning_rate: float = typer.Option(None, "--lr", help="Peak learning rate (TrainConfig's 1e-3)."),
    lora_layers: int = typer.Option(None, "--lora-layers", help="Adapt only the top N transformer blocks."),
    focus: float = typer.Option(None, "--focus", help="Share of later epochs drawn by loss (0-1)."),
    trim_every: int = typer.Option(
        None, "--trim-every", min=0, help="Return freed heap to the OS every N training steps (1: Qwen 0.5B peaks at 7.4 GB instead of 12.2)."),
    written_share: float = typer.Option(
        0.0, "--written-share", min=0.0, max=1.0,
        help="Share of cue and mood requests swapped for hand-written messages (an experiment; bench/bases.md)."),
    deal: bool = typer.Option(
        False, "--deal", help="Deal each list of phrasings in turn: more of the vocabulary in as many rows "
        "(an experiment: bench/bases.md, session 14)."),
    train_minutes: float = typer.Option(
        DEMO_TRAIN_MINUTES, "--train-minutes",
        help="Time budget for training, so the loop stays within 20 minutes on a slow machine (0 = none)."),
    strict: bool = typer.Option(None, "--strict/--no-strict", help="Exit 2 unless the student is demo-ready (default: LLM_EVAL_STRICT)."),
    base: str = typer.Option(None, "--base", help="Base model: a name from `protege bases` (install it first), a .gguf path or an HF folder."),
) -> None:
    """The whole loop on the embedded defaults: teacher -> train -> gate -> shadow -> student -> eval."""
    from protege.apps.showintent.demo import run_demo

    chosen = {"max_steps": max_steps, "epochs": epochs, "learning_rate": learning_rate, "lora_layers": lora_layers,
              "focus": focus, "trim_every": trim_every, "max_minutes": train_minutes or None}
    overrides = {k: v for k, v in chosen.items() if v is not None}
    try:
        base_model = protege.resolve_base_model(base) if base else None
    except RuntimeError as exc:  # not installed, not a model file: say so before any work
        _fail(str(exc))
    if base_model is not None and base_model.gguf_path is None:
        _fail(f"--base {base}: the demo exports its student to GGUF, so it needs a GGUF base: a name from "
              "`protege bases` or a .gguf file")
    code = run_demo(rows=rows, seed=seed, train_config=protege.TrainConfig(**overrides), console=_console(),
                    progress_bar=progress_bar, strict=strict if strict is not None else _strict_from_env(), base=base_model,
                    written_share=written_share, deal=deal)
    raise typer.Exit(code)
