"""The RPG students against their teacher, call site by call site (bench/rpg.md).

    .venv/bin/protege rpg demo                      # first: trains and routes both students
    .venv/bin/python bench/rpg.py --games 10 --json runs/rpg-bench.json

Plays ``--games`` new games of 10 levels (seeds far from the demo's) through the router, as the
game would, with whatever the routes are (both students after the demo), and reads back what the
store recorded for those calls. For each site it reports:

- the student's first-try pass rate per rule (its first answer, before any resample), its
  served pass rate, how many calls needed resamples and how many went to the teacher (fallback);
- answer latency p50 / p95 of the served answer, all tries included;
- distinct maps among the first 100 served (walls, obstacles, enemies and spawn compared);
- the version's training time, steps, peak RSS and GGUF size.

For the teacher it answers the same inputs with the procedural teacher directly (no router, no
record) and reports the same pass rates, latency and distinct maps. Not a test: a run of 10 games
takes a few minutes; timings are of this machine, so name its CPU beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import protege
from protege.apps.rpg import procedural
from protege.apps.rpg.callsite import create_next_level, create_next_map
from protege.apps.rpg.game import KEEP_LEVELS, play
from protege.apps.rpg.rules import check_level, check_map

SEED_BASE = 500_000


def _p(values: list[float], q: float) -> float | None:
    return round(protege.percentile_nearest_rank(values, q), 1) if values else None


def _map_key(m: dict) -> str:
    return json.dumps({k: m[k] for k in ("walls", "small_obstacles", "enemies", "player_pos")}, sort_keys=True)


def student_side(site, store: protege.Store, first_id: int, served: list[dict]) -> dict:
    """Rates from the student calls recorded since ``first_id`` and the served calls' info."""
    records = [c for c in store.calls(site.name, role="student", limit=100_000) if c["id"] > first_id]
    first = [c for c in records if (c["meta"] or {}).get("attempt", 1) == 1 and (c["meta"] or {}).get("live") != "shadow"]
    failed_rules = Counter(rule for c in first for rule, v in (c["verdicts"] or {}).items() if not v["ok"])
    invalid = sum(1 for c in first if c["parsed_output"] is None)
    n = len(first)
    by = Counter(call.get("answered_by") for call in served)
    resampled = sum(1 for call in served if call.get("answered_by") == "student" and (call.get("attempts") or 1) > 1)
    version = protege.Registry(store).alias(site.name, "active")
    gguf = Path(version.gguf_path) if version and version.gguf_path else None
    return {
        "version": version.label if version else None,
        "calls": len(served), "student_answers": by.get("student", 0), "after_resample": resampled,
        "fallback_to_teacher": by.get("teacher", 0),
        "first_try": {"n": n, "schema_invalid": invalid,
                      "pass_all": round(sum(1 for c in first if c["parsed_output"] is not None and
                                            all(v["ok"] for v in (c["verdicts"] or {}).values())) / n, 3) if n else None,
                      "fail_by_rule": dict(failed_rules.most_common())},
        "latency_ms": {"p50": _p([c["latency_ms"] for c in served if c.get("latency_ms")], 50),
                       "p95": _p([c["latency_ms"] for c in served if c.get("latency_ms")], 95)},
        "training": version.metrics if version else None,
        "gguf_mb": round(gguf.stat().st_size / 1e6, 1) if gguf and gguf.exists() else None,
    }


def teacher_side(played, asked: list[list]) -> dict:
    """The procedural teacher on the same inputs as the game's calls (``asked``: each level
    call's previous levels)."""
    level_fail, map_fail, maps, level_ms, map_ms = Counter(), Counter(), [], [], []
    rng = random.Random(0)
    for p, previous in zip(played, asked):
        if p.level is None:
            continue
        started = time.perf_counter()
        level = procedural.generate_level(rng, last_levels=previous, difficulty=p.asked_difficulty,
                                          level_width=p.level.width, level_height=p.level.height)
        level_ms.append((time.perf_counter() - started) * 1000)
        level_fail.update({f.rule for f in check_level(level, previous=previous,
                                                         request=(p.level.width, p.level.height, p.asked_difficulty))})
        started = time.perf_counter()
        m = procedural.generate_map(rng, level=p.level)
        map_ms.append((time.perf_counter() - started) * 1000)
        map_fail.update({f.rule for f in check_map(m, requested=p.level)})
        maps.append(_map_key(m.model_dump()))
    n = len(maps)
    return {"level": {"n": n, "fail_by_rule": dict(level_fail), "latency_ms": {"p50": _p(level_ms, 50), "p95": _p(level_ms, 95)}},
            "map": {"n": n, "fail_by_rule": dict(map_fail), "latency_ms": {"p50": _p(map_ms, 50), "p95": _p(map_ms, 95)},
                    "distinct_of_first_100": len(set(maps[:100]))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    store = protege.Store.default()
    sites = {"level": create_next_level.site, "map": create_next_map.site}
    first_ids = {k: max([c["id"] for c in store.calls(s.name, limit=1)] + [0]) for k, s in sites.items()}
    played, asked = [], []
    started = time.perf_counter()
    for game in range(args.games):
        for procedure in (procedural.LEVELS, procedural.MAPS):
            procedure.reseed(SEED_BASE + game)
        levels = play(10)
        played += levels
        # what each level call was given: the game's last (up to 3) levels before it
        asked += [[q.level for q in levels[max(0, i - KEEP_LEVELS):i]] for i in range(len(levels))]
        protege.drain()
        print(f"\rgame {game + 1}/{args.games}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    served = {k: [p.answered[i] for p in played if len(p.answered) > i] for i, k in enumerate(sites)}
    maps = [_map_key(p.level_map.model_dump()) for p in played if p.level_map is not None]
    result = {
        "cpu": os.popen("lscpu | grep 'Model name'").read().split(":", 1)[-1].strip(),
        "games": args.games, "levels": len(played), "seconds": round(time.perf_counter() - started, 1),
        "served_valid": sum(1 for p in played if p.valid),
        "distinct_served_maps_of_first_100": len(set(maps[:100])),
        "student": {k: student_side(s, store, first_ids[k], served[k]) for k, s in sites.items()},
        "teacher": teacher_side(played, asked),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
