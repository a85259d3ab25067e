"""`protege rpg ...`: check maps against every rule, and play the game through the router."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import typer

app = typer.Typer(help="RPG level generation: validate maps, play the game through protege.", no_args_is_help=True)


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
    results = [{"index": p.number, "valid": p.valid,
                "failures": [f.as_dict() for f in p.failures]
                + ([{"rule": "call", "detail": p.error}] if p.error else [])} for p in played]
    summary = _summary(results)
    summary["answered_by"] = dict(Counter(f"{c.get('answered_by')}:{c.get('model')}" for p in played for c in p.answered))
    if as_json:
        sys.stdout.write(json.dumps({"seed": seed if offline else None, "levels": [p.as_dict() for p in played],
                                     "summary": summary}, ensure_ascii=False, indent=1) + "\n")
    else:
        _console().print(_summary_line(summary, "level(s)"), markup=False)
    if any(p.error for p in played):
        raise typer.Exit(1)
