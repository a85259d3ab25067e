"""Which of a ShowIntent student's locked-eval misses its serving route would send to the teacher.

    PROTEGE_HOME=runs/X/home PROTEGE_SHOWINTENT_CUE_GLOSSES=1 python bench/floor.py runs/X/floor.json

Serving asks the active student and falls back per request: an answer whose lowest token log
probability is under the floor the gate calibrated (``Graduation.min_logprob`` when a site sets
one) goes to the teacher instead (``protege.answering.student_answer``). This asks the student
every locked case the way serving does, and sets each verdict beside the student's post-training
report (``post-training-latest.json``): how many answers would go to the teacher, and which failing
ones. The locked gates judge the student alone; this only says how much of a miss the route
catches. Not a test: about 3 minutes for Qwen on 2 cores.
"""

from __future__ import annotations

import argparse
import json

import protege
from protege.answering import confidence_floor, student_answer
from protege.apps.showintent.callsite import parse_show_intent
from protege.apps.showintent.evalrun import latest_report
from protege.apps.showintent.metrics import case_inputs, load_locked_eval
from protege.evaluate.runner import load_student


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file for every verdict")
    parser.add_argument("--version", type=int, default=1)
    args = parser.parse_args()
    site = parse_show_intent.site
    version = protege.Registry().get(site.name, args.version)
    report = latest_report("post-training")
    if version is None or report is None:
        raise SystemExit("no student or no post-training report in PROTEGE_HOME: run the demo first")
    failures = {o["id"]: o["failures"] for o in report["outcomes"]}
    runtime = load_student(site, version)  # checks the file and that the site shows the inputs it was trained on
    rows = []
    for case in load_locked_eval():
        tried = student_answer(site, case_inputs(case), version, runtime=runtime)
        rows.append({"id": case.id, "input": case.input, "failures": failures.get(case.id, []),
                     "min_logprob": tried.answer.min_logprob if tried.answer else None,
                     "fallback": tried.reason.text if tried.reason else None})
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(rows, fh, indent=1, ensure_ascii=False)
    sent = [r for r in rows if r["fallback"]]
    missed = [r for r in rows if r["failures"]]
    floor = confidence_floor(site, version)
    print(f"confidence floor: {'none' if floor is None else f'{floor:.3f}'} (min token logprob; lower goes to the teacher)")
    print(f"student {version.label}: {len(sent)}/{len(rows)} answers would go to the teacher; "
          f"{sum(bool(r['fallback']) for r in missed)}/{len(missed)} failing answers among them")
    for r in missed:
        kept = "teacher" if r["fallback"] else "served"
        logprob = "no answer" if r["min_logprob"] is None else f"{r['min_logprob']:.3f}"
        print(f"  {kept:8} {logprob:>9}  {','.join(r['failures']):40} {r['input']}")


if __name__ == "__main__":
    main()
