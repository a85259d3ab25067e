"""`protege rpg demo`: the seed's RPG loop end to end, on the embedded defaults.

1. The teacher plays games of 10 levels through the router (the procedural teacher, seeded; or the
   model named by PROTEGE_RPG_TEACHER): every level and map call is recorded and becomes an example.
2. A student is trained per call site (LoRA on the CPU), on the filtered data set.
3. Each is gated on its locked split: the share of answers that pass every rule, with the site's
   per-call decode schema and resamples, as serving answers.
4. Shadow games: the teacher answers, each student answers beside it, until live agreement moves
   both sites to their students.
5. A new game of 10 levels through the router: each level rendered with who answered (student,
   how many tries, or the teacher and why) and every rule's verdict.

Done, as the issue says, when every served map passes every rule and at least 9 of the 10 levels
and 9 of the 10 maps are the students' own answers; ``strict`` makes anything less exit 2.

With ``jac``, every game is played by the game's Jac program (level_manager.jac, one process per
game, in the Jac environment): its two ``by llm`` sites are recorded, trained and gated here under
their own names (with :mod:`jac_options`), and the students answer the Jac program.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

import protege
from protege.apps.rpg import jac_game, jac_options, procedural
from protege.apps.rpg.callsite import create_next_level, create_next_map
from protege.apps.rpg.game import PlayedLevel, play
from protege.apps.rpg.render import describe_level

LEVELS_PER_GAME = 10
PLAY_SEED_OFFSET = 100_000
"""The final game's seed is this far from the teacher's games, so it plays levels nobody trained on."""
MAX_SHADOW_GAMES = 6


@dataclass
class SiteOutcome:
    """One call site's share of the final game."""

    name: str
    calls: int
    own: int
    """Answered by the student (first try or a resample)."""
    first_try: int
    """Answered by the student's first answer (greedy, or sampled where the site samples)."""

    def as_dict(self) -> dict:
        return {"site": self.name, "calls": self.calls, "student_answers": self.own, "first_try": self.first_try}


def run_demo(*, games: int, seed: int, budgets: dict[str, protege.TrainConfig], console: Console,
             progress_bar: Callable, levels: int = LEVELS_PER_GAME, strict: bool = False, base=None,
             jac: bool = False) -> int:
    """Returns 0 when the loop completed; with ``strict``, 2 unless the final game is the
    students' own (see the module's docstring). ``budgets`` maps "level" and "map" to the
    training config of each site; ``jac`` plays every game through level_manager.jac."""
    program = JAC if jac else PYTHON
    store = protege.Store.default()
    registry = protege.Registry(store)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    console.rule(f"1. teacher: {games} games of {LEVELS_PER_GAME} levels through both call sites{program.where}")
    for name in program.names:
        if store.route(name) != "teacher":
            registry.set_route(name, "teacher", reason="demo: start again from the teacher")
            protege.forget_state(name)
    with progress_bar("teacher games") as update:
        for game in range(games):
            program.play(seed + game, LEVELS_PER_GAME)
            update(game + 1, games)
    sites = program.sites(store)
    console.print(f"{games * LEVELS_PER_GAME} levels and maps answered by the teacher and recorded as examples")
    timings["teacher"] = time.perf_counter() - t0

    promoted = {}
    for key, site in sites.items():
        console.rule(f"2. train and gate the {key} student")
        t = time.perf_counter()
        version = protege.train_site(site, config=budgets[key], store=store, registry=registry, base=base)
        m = version.metrics
        console.print(f"registered {version.label} on {version.base_model}: {version.n_train} train examples, "
                      f"{m.get('steps')} of {m.get('planned_steps')} steps in {m.get('train_seconds')} s, "
                      f"peak RSS {m.get('peak_rss_mb')} MB")
        with progress_bar(f"gate eval ({key})") as update:
            outcome = protege.gate_site(site, version=version.version, store=store, registry=registry, progress=update)
        for check in outcome.decision.checks:
            console.print(f"  {'✔' if check.ok else '✘'} {check.rule}: {check.detail}")
        console.print(f"  first-try answers on the locked split: {first_try_share(outcome.report_json)}")
        console.print(f"  report: {outcome.report_html}")
        promoted[key] = outcome.promoted
        timings[f"train+gate {key}"] = time.perf_counter() - t

    if any(promoted.values()):
        console.rule("3. shadow games: the teacher answers, the students answer beside it")
        t = time.perf_counter()
        for game in range(MAX_SHADOW_GAMES):
            if all(store.route(s.name) == "student" for k, s in sites.items() if promoted[k]):
                break
            program.play(seed + games + game, LEVELS_PER_GAME, drain=True)
        console.print("  ".join(f"{k}: route {store.route(s.name)}" for k, s in sites.items()))
        timings["shadow"] = time.perf_counter() - t
    else:
        console.print("[yellow]both gates refused: the call sites stay on the teacher[/]")

    console.rule(f"4. a new game of {levels} levels through the router")
    t = time.perf_counter()
    played = program.play(seed + PLAY_SEED_OFFSET, levels, show=lambda lv: console.print(
        describe_level(lv), markup=False, highlight=False))
    timings["play"] = time.perf_counter() - t
    outcomes = [site_outcome(played, i, key) for i, key in enumerate(sites)]
    valid_maps = sum(1 for p in played if p.level_map is not None and p.valid)
    console.rule("done")
    for o in outcomes:
        console.print(f"{o.name}: {o.own} of {o.calls} answered by the student ({o.first_try} on the first try, "
                      f"{o.own - o.first_try} after resampling), {o.calls - o.own} by the teacher")
    console.print(f"levels that pass every rule: {valid_maps} of {len(played)}")
    console.print("  ".join(f"{k} {v:.0f}s" for k, v in timings.items()) + f"  total {time.perf_counter() - t0:.0f}s")
    met = demo_met(played, outcomes, levels)
    console.print("[bold green]done: the students answer the game[/]" if met else
                  "[yellow]not done: fewer than 9 of 10 answers are the students' own, or a level breaks a rule[/]")
    return 2 if strict and not met else 0


def demo_met(played: list[PlayedLevel], outcomes: list[SiteOutcome], levels: int) -> bool:
    """Every level played and valid, and at least 90 % of each site's answers the student's own."""
    return (len(played) == levels and all(p.valid for p in played)
            and all(o.own * 10 >= o.calls * 9 for o in outcomes))


def site_outcome(played: list[PlayedLevel], index: int, key: str) -> SiteOutcome:
    """Who answered call ``index`` (0: level, 1: map) of each played level."""
    calls = [p.answered[index] for p in played if len(p.answered) > index]
    own = [c for c in calls if c.get("answered_by") == "student"]
    return SiteOutcome(key, len(calls), len(own), sum(1 for c in own if (c.get("attempts") or 1) == 1))


def first_try_share(report_json: str | None) -> str:
    """How many locked-split answers the student's first answer settled (the gate report's
    ``attempts`` slice), as "n of N"."""
    try:
        attempts = json.loads(Path(report_json).read_text(encoding="utf-8"))["slices"]["attempts"]
    except (TypeError, OSError, ValueError, KeyError):
        return "not recorded"
    return f"{attempts.get('1', {}).get('n', 0)} of {sum(s['n'] for s in attempts.values())}"


def _play_game(seed: int, levels: int, *, drain: bool = False, show=None) -> list[PlayedLevel]:
    for procedure in (procedural.LEVELS, procedural.MAPS):
        procedure.reseed(seed)

    def after(level: PlayedLevel) -> None:
        if drain:  # let the shadow answers finish, and read a changed route at once
            protege.drain()
            protege.forget_state()
        if show is not None:
            show(level)

    return play(levels, on_level=after)


def _play_jac(seed: int, levels: int, *, drain: bool = False, show=None) -> list[PlayedLevel]:
    """One game of level_manager.jac (its process drains its shadow answers as it exits)."""
    played, code = jac_game.play(levels, seed=seed, on_level=(lambda lv: show(lv.played)) if show else None)
    if code != 0 or len(played) < levels:
        raise protege.ProtegeError(f"level_manager.jac stopped after {len(played)} of {levels} level(s), exit code {code}")
    return [lv.played for lv in played]


def _jac_sites(store: protege.Store) -> dict[str, protege.CallSite]:
    """The Jac program's two sites as it recorded them, with their site options."""
    sites = {}
    for key, name in zip(("level", "map"), JAC.names):
        site = protege.CallSite.latest_recorded(store, name, **jac_options.SITES[name])
        if site is None:
            raise protege.ProtegeError(f"level_manager.jac recorded no call of {name}")
        sites[key] = site
    return sites


@dataclass(frozen=True)
class Program:
    """Where the games run: ``play(seed, levels, *, drain, show)`` plays one game and
    ``sites(store)`` gives its call sites by "level" and "map"."""

    names: tuple[str, str]
    play: Callable[..., list[PlayedLevel]]
    sites: Callable[[protege.Store], dict[str, protege.CallSite]]
    where: str = ""


PYTHON = Program((create_next_level.site.name, create_next_map.site.name), _play_game,
                 lambda store: {"level": create_next_level.site, "map": create_next_map.site})
JAC = Program((jac_options.LEVEL_SITE, jac_options.MAP_SITE), _play_jac, _jac_sites, " of level_manager.jac")
