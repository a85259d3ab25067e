"""Would asking a second time, on another screen, catch a ShowIntent student's wrong cues?

    PROTEGE_HOME=runs/X/home PROTEGE_SHOWINTENT_CUE_GLOSSES=1 python bench/second_screen.py runs/X/second.json

The measurement that led to the site's second look (``apps/showintent/second_screen.py``), kept to
replay it; the locked eval now takes the second look itself (`protege showintent eval`).

A request for a cue means that cue whichever other cues the operator's screen offers. A described
look the catalog does not have, taken for a real cue, is often taken for it on one screen only
(bench/screens.py). This takes every locked case the student's post-training report answered with
a catalog cue, asks it again on ``--screens`` other screens that keep that cue (4 to 8 cues, the
rest drawn at random, seeded by the case), and counts the answers that would be refused if a cue
had to survive every screen: wrong cues caught, right ones lost. Not a test: about 3 minutes for
Qwen on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random

import protege
from protege.apps.showintent import catalog, second_screen
from protege.apps.showintent.callsite import parse_show_intent
from protege.apps.showintent.evalrun import latest_report
from protege.apps.showintent.metrics import case_inputs, load_locked_eval
from protege.evaluate.runner import load_student


def played_cue(raw: str) -> str | None:
    try:
        return second_screen.played_cue(json.loads(raw), sorted(catalog.CUE_BY_NAME))
    except ValueError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file for every answer")
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--screens", type=int, default=2)
    args = parser.parse_args()
    report = latest_report("post-training")
    if report is None:
        raise SystemExit("no post-training report in PROTEGE_HOME: run the demo first")
    outcomes = {o["id"]: o for o in report["outcomes"]}
    names, asked, first = sorted(catalog.CUE_BY_NAME), [], {}
    cases = load_locked_eval()
    said = {c.id: c.input for c in cases}
    for case in cases:
        cue = played_cue(outcomes[case.id]["raw_output"])
        if cue is None or cue not in case.cue_catalog_subset:
            continue
        rng = random.Random(case.id)
        first[case.id] = cue
        for i in range(args.screens):
            screen = [cue] + rng.sample([n for n in names if n != cue], rng.randint(3, 7))
            asked.append(case.model_copy(update={"id": f"{case.id}#{i}", "cue_catalog_subset": sorted(screen)}))
    site = parse_show_intent.site  # the student's own answers, before the site's second look
    version = protege.Registry().get(site.name, args.version)
    runtime = load_student(site, version)
    again = [runtime.answer(site.student_prompt(case_inputs(c)), site.decode_schema_for(case_inputs(c))).text
             for c in asked]
    label = f"student {version.label}"
    held: dict[str, bool] = {}
    for case, o in zip(asked, again):
        base = case.id.split("#")[0]
        held[base] = held.get(base, True) and played_cue(o) == first[base]
    rows = [{"id": i, "input": said[i], "cue": first[i],
             "failures": outcomes[i]["failures"], "held": held[i]} for i in first]
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"rows": rows, "answers": again}, fh, indent=1, ensure_ascii=False)
    wrong = [r for r in rows if r["failures"]]
    right = [r for r in rows if not r["failures"]]
    print(f"{label}: {len(rows)} locked answers played a catalog cue, asked on {args.screens} more screens each")
    print(f"  wrong cues refused: {sum(not r['held'] for r in wrong)}/{len(wrong)}; "
          f"right cues refused: {sum(not r['held'] for r in right)}/{len(right)}")
    for r in rows:
        if r["failures"] or not r["held"]:
            print(f"  {'held   ' if r['held'] else 'refused'} {r['cue']:22} {','.join(r['failures']):30} {r['input']}")


if __name__ == "__main__":
    main()
