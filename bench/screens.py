"""How much a ShowIntent student's answers hang on which other cues the operator's screen offers.

    PROTEGE_HOME=runs/X/home PROTEGE_SHOWINTENT_CUE_GLOSSES=1 python bench/screens.py runs/X/screens.json

Each locked case that names a catalog cue, or describes a look the catalog does not have, is asked
again on random screens (4 to 8 catalog cues, the asked cue always among them), seeded, so two
students meet the same screens. Each unknown look is also asked on every section's screen (all of
its cues, the effects without a section counted as one, and zero to two cues meant for any
section), the layout the locked screens use. The locked screens put a cue of the same theme beside
each unknown look; the other screens show whether a student blocks the look on its own or only when
nothing tempting is offered. Prints one line per unknown look and the cue cases whose answer changes
with the screen, and writes every answer to the JSON file. Not a test: about 5 minutes for Qwen on
2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict

from protege.apps.showintent import catalog
from protege.apps.showintent.evalrun import answerer, run_answers
from protege.apps.showintent.metrics import load_locked_eval


def variants(per_look: int, per_cue: int, seed: int) -> list:
    cases = load_locked_eval()
    looks = [c for c in cases if "unknown_cue" in c.tags and "telegram" not in c.tags]
    cued = [c for c in cases if "unknown_cue" not in c.tags and c.must_include.get("cue") in catalog.CUE_BY_NAME]
    names, rng, out = sorted(catalog.CUE_BY_NAME), random.Random(seed), []
    plan = [(c, per_look, []) for c in looks] + [(c, per_cue, [c.must_include["cue"]]) for c in cued]
    for case, k, keep in plan:
        for i in range(k):
            screen = keep + rng.sample([n for n in names if n not in keep], rng.randint(4, 8) - len(keep))
            out.append(case.model_copy(update={"id": f"{case.id}#{i}", "cue_catalog_subset": sorted(screen)}))
    anywhere, rng = [c.name for c in catalog.cues_in_section("any")], random.Random(seed + 1)
    for case in looks:
        for section in (*[s for s in catalog.SECTIONS if s != "any"], None):
            screen = {c.name for c in catalog.cues_in_section(section)} | set(rng.sample(anywhere, rng.randint(0, 2)))
            out.append(case.model_copy(update={"id": f"{case.id}@{section}", "cue_catalog_subset": sorted(screen)}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file for every answer")
    parser.add_argument("--model", default="student@1")
    parser.add_argument("--per-look", type=int, default=10, help="screens per unknown look")
    parser.add_argument("--per-cue", type=int, default=3, help="screens per cue case")
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    asked = variants(args.per_look, args.per_cue, args.seed)
    answer, label = answerer(args.model)
    report = run_answers(asked, answer, label)
    rows = [{"id": case.id, "input": case.input, "screen": case.cue_catalog_subset, "decision": o["decision"],
             "cue_match": o["cue_match"], "raw": o["raw_output"]} for case, o in zip(asked, report["outcomes"])]
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(rows, fh, indent=1, ensure_ascii=False)
    looks, sections, cues = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in rows:
        if row["cue_match"] is None:
            (sections if "@" in row["id"] else looks)[row["input"]].append(row["decision"] == "block")
        else:
            cues[row["input"]].append(bool(row["cue_match"]))
    print(label)
    for message, blocked in looks.items():
        shown = sections[message]
        print(f"  {sum(blocked)}/{len(blocked)} random, {sum(shown)}/{len(shown)} section screens blocked  {message}")
    hits, total = sum(map(sum, cues.values())), sum(map(len, cues.values()))
    print(f"  cue cases: {hits}/{total} answers mapped the cue; changing with the screen:",
          [m for m, v in cues.items() if 0 < sum(v) < len(v)], "never mapped:", [m for m, v in cues.items() if not any(v)])


if __name__ == "__main__":
    main()
