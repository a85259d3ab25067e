"""`protege rpg ...`: check maps against every rule, play the game through the router, score
teacher and student maps by hand (blinded), and build filtered or unfiltered training data."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import typer

DEMO_TRAIN_MINUTES = 16.0

app = typer.Typer(help="RPG level generation: validate maps, play the game, review maps by hand, build data.",
                  no_args_is_help=True)


def _console():
    from protege.cli.common import console

    return console


def _summary(results: list[dict]) -> dict:
    """How many results are valid, and how many fail each rule (a result counts once per rule)."""
    failed = Counter(rule for r in results for rule in {f["rule"] for f in r["failures"]})
    valid = sum(r["valid"] for r in results)
    return {"checked": len(results), "valid": valid, "invalid": len(results) - valid,
            "failures_by_rule": dict(sorted(failed.items(), key=lambda kv: (-kv[1], kv[0])))}


def _summary_line(summary: dict, what: str) -> str:
    rules = ", ".join(f"{rule} {n}" for rule, n in summary["failures_by_rule"].items()) or "none"
    return f"{summary['checked']} {what}: {summary['valid']} valid, {summary['invalid']} invalid; failures by rule: {rules}"


def _played_summary(played) -> dict:
    """The summary of played levels (:class:`protege.apps.rpg.game.PlayedLevel`), with who answered."""
    results = [{"index": p.number, "valid": p.valid,
                "failures": [f.as_dict() for f in p.failures]
                + ([{"rule": "call", "detail": p.error}] if p.error else [])} for p in played]
    summary = _summary(results)
    summary["answered_by"] = dict(Counter(f"{c.get('answered_by')}:{c.get('model')}" for p in played for c in p.answered))
    return summary


@app.command("validate")
def validate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSONL: one Map JSON per line (either Level form)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document with a results list and a summary."),
    independent: bool = typer.Option(False, "--independent",
                                     help="Judge each map alone: no difficulty progression against the lines before it."),
) -> None:
    """Check every map in FILE against every rule.

    Prints, per line, {"index", "valid", "failures": [{"rule", "detail"}]} (index counts the
    file's lines from 0; blank lines are skipped), then a summary. Each level is compared with the
    levels of the (up to 3) valid-shaped lines before it, as the game keeps them, unless
    --independent. Exits 1 when any line fails.
    """
    from protege.apps.rpg.validate import validate_lines

    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        from protege.cli.common import fail

        fail(f"cannot read {file}: {exc}")
    results = validate_lines(lines, progression=not independent)
    summary = _summary(results)
    if as_json:
        sys.stdout.write(json.dumps({"results": results, "summary": summary}, ensure_ascii=False, indent=1) + "\n")
    else:
        for result in results:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.write(_summary_line(summary, "map(s)") + "\n")
    if summary["invalid"]:
        raise typer.Exit(1)


@app.command("play")
def play_cmd(
    levels: int = typer.Option(10, "--levels", min=1, help="How many levels to play."),
    seed: int = typer.Option(0, "--seed", help="Seed of the procedural teachers: the same seed plays the same game."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document: every level, who answered, verdicts."),
) -> None:
    """Play the game: each level and its map come through the router (recorded in the store),
    rendered with who answered and what the validators said."""
    import protege
    from protege.apps.rpg import procedural
    from protege.apps.rpg.callsite import TEACHER_ENV, create_next_level
    from protege.apps.rpg.game import play
    from protege.apps.rpg.render import describe_level

    for procedure in (procedural.LEVELS, procedural.MAPS):
        procedure.reseed(seed)
    offline = create_next_level.site.teacher_spec is procedural.LEVELS
    printer = None if as_json else (lambda played: _console().print(describe_level(played), markup=False, highlight=False))
    if not as_json:
        source = f"procedural teachers, seed {seed}" if offline else f"teacher {TEACHER_ENV}={create_next_level.site.teacher_spec}"
        _console().print(f"playing {levels} level(s) with the {source}", markup=False)
    played = play(levels, on_level=printer)
    protege.drain()
    summary = _played_summary(played)
    if as_json:
        sys.stdout.write(json.dumps({"seed": seed if offline else None, "levels": [p.as_dict() for p in played],
                                     "summary": summary}, ensure_ascii=False, indent=1) + "\n")
    else:
        _console().print(_summary_line(summary, "level(s)"), markup=False)
    if any(p.error for p in played):
        raise typer.Exit(1)


@app.command("jac")
def jac_cmd(
    levels: int = typer.Option(10, "--levels", min=1, help="How many levels to play."),
    seed: int = typer.Option(0, "--seed", help="Seed of the procedural teacher (without --model): the same seed "
                                               "plays the same game as `protege rpg play --seed`."),
    model: str = typer.Option(None, "--model", help="A byLLM model for both calls (gpt-4o, ollama/qwen2.5:7b, "
                                                    "openai/NAME with OPENAI_API_BASE); default: the procedural teacher."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document: every level, who answered, verdicts."),
) -> None:
    """Play the game as Jac: level_manager.jac runs with `jac run` in the Jac environment
    (scripts/setup-jac.sh), its `by llm` calls captured per call site (level_manager:create_next_level,
    level_manager:create_next_map) and judged by the RPG validators; each level is shown with
    who answered and every rule's verdict."""
    import protege
    from protege.apps.rpg import jac_game
    from protege.apps.rpg.render import describe_level
    from protege.cli.common import fail

    try:
        jac = jac_game.find_jac()
    except protege.ProtegeError as exc:
        fail(str(exc))
    if not as_json:
        source = f"model {model}" if model else f"the procedural teacher, seed {seed}"
        _console().print(f"playing {levels} level(s) of {jac_game.PROGRAM.name} with {jac} and {source}", markup=False)
    printer = None if as_json else (
        lambda lv: _console().print(describe_level(lv.played), markup=False, highlight=False))
    played, code = jac_game.play(levels, seed=seed, model=model, jac=jac, on_level=printer)
    summary = _played_summary([lv.played for lv in played])
    if as_json:
        sys.stdout.write(json.dumps({"program": str(jac_game.PROGRAM), "seed": None if model else seed, "model": model,
                                     "exit_code": code, "levels": [lv.as_dict() for lv in played], "summary": summary},
                                    ensure_ascii=False, indent=1) + "\n")
    else:
        _console().print(_summary_line(summary, "level(s)"), markup=False)
    if code != 0 or len(played) < levels:
        sys.stderr.write(f"the Jac program stopped after {len(played)} of {levels} level(s), exit code {code}\n")
        raise typer.Exit(1)


@app.command("demo")
def demo_cmd(
    games: int = typer.Option(50, "--games", min=1, help="Games of 10 levels the teacher plays first (500 levels and maps)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the procedural teachers."),
    levels: int = typer.Option(10, "--levels", min=1, help="Levels of the final game through the router."),
    train_minutes: float = typer.Option(
        DEMO_TRAIN_MINUTES, "--train-minutes",
        help="Time budget for training both students (a quarter for the level, the rest for the map); 0 = whole plans."),
    max_steps: int = typer.Option(None, "--max-steps", help="Cap on training steps per student."),
    strict: bool = typer.Option(False, "--strict", help="Exit 2 unless the final game is the students' own."),
    base: str = typer.Option(None, "--base", help="Base model: a name from `protege bases`, or a .gguf file."),
    jac: bool = typer.Option(False, "--jac", help="Play every game with level_manager.jac in the Jac environment "
                             "(scripts/setup-jac.sh): the students answer the Jac program's by llm calls."),
) -> None:
    """The whole loop: the teacher plays games -> a student per call site is trained and gated ->
    shadow games -> a new game through the router, with who answered each level and map."""
    import protege
    from protege.apps.rpg.demo import run_demo
    from protege.cli.common import fail, progress_bar

    try:
        base_model = protege.resolve_base_model(base) if base else None
    except RuntimeError as exc:
        fail(str(exc))
    if base_model is not None and base_model.gguf_path is None:
        fail(f"--base {base}: the students are exported to GGUF, so the base must be a GGUF model")
    if jac:
        from protege.apps.rpg.jac_game import find_jac

        try:
            find_jac()
        except protege.ProtegeError as exc:
            fail(str(exc))
    share = {"level": 0.25, "map": 0.75}
    budgets = {key: protege.TrainConfig(**{k: v for k, v in {
        "max_minutes": train_minutes * part if train_minutes else None, "max_steps": max_steps}.items() if v is not None})
        for key, part in share.items()}
    code = run_demo(games=games, seed=seed, budgets=budgets, console=_console(), progress_bar=progress_bar,
                    levels=levels, strict=strict, base=base_model, jac=jac)
    raise typer.Exit(code)


SITES = ("level", "map")


def _site(which: str):
    from protege.apps.rpg.callsite import create_next_level, create_next_map

    return (create_next_level if which == "level" else create_next_map).site


@app.command("review")
def review_cmd(
    report: bool = typer.Option(False, "--report", help="Compare teacher and student from the scores stored so far."),
    as_json: bool = typer.Option(False, "--json", help="With --report: print the report as JSON."),
    html: Path = typer.Option(None, "--html", dir_okay=False, help="With --report: also write the report as an HTML page."),
    reviewer: str = typer.Option(None, "--reviewer", help="Who scores (default: $USER); --report pools every reviewer unless given."),
    seed: int = typer.Option(None, "--seed", help="Seed of the A/B order (default: a fresh random one)."),
    bootstrap_seed: int = typer.Option(0, "--bootstrap-seed", help="With --report: seed of the bootstrap intervals."),
    limit: int = typer.Option(5000, "--limit", min=1, help="Read the newest N teacher and N student calls of the map call site."),
) -> None:
    """Score teacher and student maps for the same level, blinded, with the seed's rubric.

    Each pair is shown as A and B side by side in a random order (the store records which was
    which); each map gets 1-5 for gameplay viability and fun, structural correctness and
    consistency, and adherence to the requested constraints and theme, then an optional note.
    Every answer is stored as it is typed, so q, Ctrl-C or the end of input loses nothing and the
    next run goes on where this one stopped. --report compares the two per rubric item.
    """
    import os
    import random

    from protege.apps.rpg import review, review_report

    if not report and (as_json or html is not None):
        from protege.cli.common import fail

        fail("--json and --html go with --report")
    store = _store()
    site = _site("map").name
    if report:
        result = review_report.compare(store.reviews(site, reviewer=reviewer), site=site, reviewer=reviewer,
                                       seed=bootstrap_seed)
        if html is not None:
            review_report.write_html(result, html)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        else:
            lines = review_report.text_lines(result) + ([f"wrote {html}"] if html is not None else [])
            sys.stdout.write("\n".join(lines) + "\n")
        return
    who = reviewer or os.environ.get("USER") or "reviewer"

    def write(text: str) -> None:  # exact text: maps and names are not Rich markup
        sys.stdout.write(text + "\n")

    try:
        done = review.run_session(store, site, who, read=_read_line, write=write, rng=random.Random(seed), limit=limit)
    except KeyboardInterrupt:
        write("\ninterrupted: every answer given so far is stored; run `protege rpg review` again to go on")
        raise typer.Exit(130)
    left = done.pairs - done.already - done.scored
    if not done.pairs:
        write(f"no pairs to review: {site} has no teacher and student answers to the same level yet "
              "(student answers come from shadow, spot checks and `protege rpg play` with a student route)")
        return
    write(f"{done.scored} pair(s) scored now, {done.already} before, {left} left for {who}"
          + ("; stopped, run `protege rpg review` again to go on" if done.stopped else ""))


def _store():
    import protege

    return protege.Store.default()


def _read_line(prompt: str) -> str:
    """A line from the reviewer; EOFError at the end of input. Piped answers are echoed so the
    output reads as a transcript."""
    if sys.stdin.isatty():
        return input(prompt)
    sys.stdout.write(prompt)
    line = sys.stdin.readline()
    if not line:
        sys.stdout.write("\n")
        raise EOFError
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    return line.rstrip("\n")


data_app = typer.Typer(help="The call sites' training data: filtered by the validators or not.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("build")
def data_build(
    filtered: bool = typer.Option(True, "--filtered/--unfiltered",
                                  help="Keep only examples that pass every validator (default), or every example."),
    site: str = typer.Option("both", "--site", help="level, map or both."),
    out: Path = typer.Option(None, "--out", file_okay=False, help="Also write each site's training examples as JSONL here."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Build the training data of the call sites with the core's dataset builder, filtered or
    not, and say how to train on it (`protege train SITE`, or with --no-filter)."""
    from protege.apps.rpg import data

    if site not in (*SITES, "both"):
        from protege.cli.common import fail

        fail(f"--site must be level, map or both, not {site!r}")
    store = _store()
    summaries = []
    for which in (SITES if site == "both" else (site,)):
        summary, train = data.build(_site(which), store, filtered=filtered)
        if out is not None:
            path = out / f"{which}-{summary['data_set']}.jsonl"
            data.write_jsonl(train, path)
            summary["written"] = str(path)
        summaries.append(summary)
    if as_json:
        sys.stdout.write(json.dumps({"sites": summaries}, ensure_ascii=False, indent=1) + "\n")
        return
    for s in summaries:
        rules = ", ".join(f"{rule} {n}" for rule, n in s["filtered_out_by_rule"].items()) or "none"
        lines = [f"{s['site']} ({s['data_set']}, dataset {s['dataset_hash']}): {s['train']} train, {s['eval']} locked eval, "
                 f"{s['recent']} recent; {s['filtered_out']} filtered out by validators ({rules})",
                 f"  train on it: {s['train_with']}"]
        if "written" in s:
            lines.append(f"  wrote {s['train']} training example(s) to {s['written']}")
        _console().print("\n".join(lines), markup=False, highlight=False)


@data_app.command("versions")
def data_versions(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every trained version of both call sites, and the data set it was trained on: filtered,
    unfiltered, or same (no example failed a validator, so the two sets were one)."""
    from protege.apps.rpg import data

    store = _store()
    rows = [row for which in SITES for row in data.versions(_site(which), store)]
    if as_json:
        sys.stdout.write(json.dumps({"versions": rows}, ensure_ascii=False, indent=1) + "\n")
        return
    if not rows:
        _console().print("no trained versions yet: `protege train SITE` (filtered) or `protege train SITE --no-filter`",
                         markup=False)
    for r in rows:
        _console().print(f"{r['site']} {r['version']}: {r['n_train']} train, dataset {r['dataset_hash']}, "
                         f"trained on: {r['trained_on']}", markup=False, highlight=False)
