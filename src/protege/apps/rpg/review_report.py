"""The review report: teacher and student compared per rubric item, with 95 % intervals.

Only pairs in which both answers got a score for an item count for that item, so the teacher
mean, the student mean and their difference are over the same pairs. The intervals are
percentile bootstrap intervals of the mean (pairs resampled with replacement, the same resample
for teacher, student and difference, seeded so a report is reproducible): rubric scores are
small integers with few pairs, where a t interval's normal approximation is poor and can leave
the 1-5 scale. ``overall`` is the mean of the three items of an answer.
"""

from __future__ import annotations

import os
import random
import tempfile
from importlib import resources
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

import protege
from protege.apps.rpg.review import RUBRIC

CONFIDENCE = 0.95
RESAMPLES = 2000
METHOD = "percentile bootstrap of the mean over pairs"
OVERALL = ("overall", "mean of the three items")


def collect_pairs(rows: list[dict]) -> list[dict]:
    """Review rows grouped into pairs: ``{"teacher": row, "student": row}`` per reviewer and pair."""
    pairs: dict[tuple, dict] = {}
    for row in rows:
        key = (row["reviewer"], row["teacher_call_id"], row["student_call_id"])
        pairs.setdefault(key, {})[row["role"]] = row
    return [p for p in pairs.values() if set(p) == {"teacher", "student"}]


def _score(row: dict, key: str) -> float | None:
    scores = row["scores"] or {}
    if key == OVERALL[0]:
        values = [scores.get(k) for k, _ in RUBRIC]
        return None if None in values else sum(values) / len(values)
    return scores.get(key)


def bootstrap(columns: dict[str, list[float]], *, seed: int, resamples: int = RESAMPLES) -> dict[str, dict]:
    """Mean and percentile bootstrap interval of each column; all columns are resampled with
    the same row indices (they are paired)."""
    n = len(next(iter(columns.values())))
    rng = random.Random(seed)
    means: dict[str, list[float]] = {name: [] for name in columns}
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        for name, values in columns.items():
            means[name].append(sum(values[i] for i in picks) / n)
    tail = 100 * (1 - CONFIDENCE) / 2
    return {name: {"mean": _round(sum(values) / n),
                   "low": _round(protege.percentile_nearest_rank(means[name], tail)),
                   "high": _round(protege.percentile_nearest_rank(means[name], 100 - tail))}
            for name, values in columns.items()}


def _round(x: float) -> float:
    return round(x, 4)


def compare(rows: list[dict], *, site: str, reviewer: str | None = None, seed: int = 0,
            resamples: int = RESAMPLES) -> dict:
    """The report as a JSON-ready dict (see the module docstring)."""
    pairs = collect_pairs(rows)
    complete = [p for p in pairs if all(p[r]["answered_at"] is not None for r in ("teacher", "student"))]
    items = []
    for key, title in (*RUBRIC, OVERALL):
        scored = [(t, s) for t, s in ((_score(p["teacher"], key), _score(p["student"], key)) for p in pairs)
                  if t is not None and s is not None]
        item = {"item": key, "title": title, "n": len(scored), "teacher": None, "student": None, "difference": None,
                "student_better": sum(s > t for t, s in scored), "same": sum(s == t for t, s in scored),
                "teacher_better": sum(s < t for t, s in scored)}
        if scored:
            item |= bootstrap({"teacher": [t for t, _ in scored], "student": [s for _, s in scored],
                               "difference": [s - t for t, s in scored]}, seed=seed, resamples=resamples)
        items.append(item)
    notes = [{"role": role, "label": p[role]["label"], "note": p[role]["note"]}
             for p in complete for role in ("teacher", "student") if p[role]["note"]]
    return {
        "site": site, "reviewer": reviewer, "pairs": len(pairs), "pairs_complete": len(complete),
        "reviewers": sorted({p["teacher"]["reviewer"] for p in pairs}),
        "teacher_shown_as_a": sum(p["teacher"]["label"] == "A" for p in pairs),
        "interval": {"method": METHOD, "confidence": CONFIDENCE, "resamples": resamples, "seed": seed},
        "difference": "student minus teacher, per pair", "scale": "1 (poor) to 5 (excellent)",
        "items": items, "notes": notes,
    }


def text_lines(report: dict) -> list[str]:
    """The report for a terminal."""
    ci = report["interval"]
    lines = [f"{report['site']}: {report['pairs_complete']} pair(s) fully scored of {report['pairs']} opened"
             f" (reviewers: {', '.join(report['reviewers']) or 'none'})",
             f"mean [{round(100 * ci['confidence'])}% {ci['method']}, {ci['resamples']} resamples, seed {ci['seed']}]"]
    for item in report["items"]:
        if not item["n"]:
            lines.append(f"{item['item']:>10}: no pair scored")
            continue
        lines.append(f"{item['item']:>10}: teacher {_interval(item['teacher'])}  student {_interval(item['student'])}  "
                     f"student-teacher {_interval(item['difference'], signed=True)}  n={item['n']} "
                     f"(student better {item['student_better']}, same {item['same']}, teacher better {item['teacher_better']})")
    return lines


def _interval(x: dict, signed: bool = False) -> str:
    f = "{:+.2f}" if signed else "{:.2f}"
    return f"{f.format(x['mean'])} [{f.format(x['low'])}, {f.format(x['high'])}]"


def _axis(item: dict) -> list[dict]:
    """Bars for the HTML chart: position of each interval on the 1-5 scale, in percent."""
    def at(v: float) -> float:
        return round(100 * (min(max(v, 1.0), 5.0) - 1) / 4, 2)

    return [{"role": role, "left": at(item[role]["low"]), "width": round(at(item[role]["high"]) - at(item[role]["low"]), 2),
             "mean": at(item[role]["mean"])} for role in ("teacher", "student")] if item["n"] else []


def render_html(report: dict) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    source = resources.files("protege.apps.rpg").joinpath("review_report.html").read_text("utf-8")
    return env.from_string(source).render(report=report, bars={i["item"]: _axis(i) for i in report["items"]},
                                          base_css=Markup(protege.report_css()),
                                          title=f"Manual review: {report['site']}")


def write_html(report: dict, path: str | os.PathLike[str]) -> Path:
    """Write the page atomically (a reader never sees half a file)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(render_html(report))
    os.replace(tmp, target)
    return target
