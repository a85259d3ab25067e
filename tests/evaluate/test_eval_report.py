"""Reports: JSON round trip, comparison numbers, and an HTML page that parses and has its charts."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from protege.evaluate import (
    EvalReport,
    EvalRow,
    GateConfig,
    decide,
    evaluate_rows,
)
from protege.evaluate.report import compare, write_html, write_json

SVG_NS = "{http://www.w3.org/2000/svg}"
TEXTS = ["anuncia o próximo DJ", "welcome everyone", "bora agitar!", "last song of the night"]


def demo_rows(seed: int, skill: float, n: int = 120) -> list[EvalRow]:
    """ShowIntent-like rows from a model that is right with probability ``skill``."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind = ["announce", "change_mood", "arm_effect", "log_note"][i % 4]
        if kind == "announce":
            ref = {"type": "announce", "text": TEXTS[i % 4], "tone": ["hype", "calm"][i // 4 % 2]}
        elif kind == "change_mood":
            ref = {"type": "change_mood", "mood": "warm", "palette": ["amber", "red"][: 1 + i % 2],
                   "intensity": 0.5}
        elif kind == "arm_effect":
            ref = {"type": "arm_effect", "effect": ["fog", "strobe"][i // 4 % 2],
                   "duration_seconds": 3, "intensity": 0.35}
        else:
            ref = {"type": "log_note", "note": f"note {i}", "tags": ["ops"]}
        answer = json.loads(json.dumps(ref))
        roll = rng.random()
        raw = json.dumps(answer)
        parsed: dict | None = answer
        if roll > skill:
            mistake = rng.choice(["json", "type", "value", "number"])
            if mistake == "json":
                raw, parsed = raw[: len(raw) // 2], None
            elif mistake == "type":
                answer["type"] = "log_note" if kind != "log_note" else "announce"
            elif mistake == "value" and kind == "arm_effect":
                answer["effect"] = "laser"
            elif "intensity" in answer:
                answer["intensity"] = 0.9
            else:
                answer.pop(next(k for k in answer if k != "type"))
        safe = not (parsed and parsed.get("effect") == "laser")
        rows.append(EvalRow(
            id=i, reference=ref, raw_text=raw, parsed=parsed,
            schema_valid=parsed is not None and parsed["type"] == ref["type"],
            verdicts={} if parsed is None else {
                "policy_allows": (safe, "" if safe else "laser is operator-only", True),
                "intensity_limit": (
                    parsed.get("intensity", 0) <= 0.5, "intensity over 0.5", False)},
            latency_ms=round(rng.lognormvariate(5.3, 0.35), 1),
            tokens_in=40 + i % 7, tokens_out=len(raw) // 4,
            slices={"locale": "pt-BR" if i % 3 else "en",
                    "tags": ["telegram"] if i % 5 == 0 else []},
        ))
    return rows


@pytest.fixture(scope="module")
def reports() -> tuple[EvalReport, EvalReport]:
    baseline = evaluate_rows(demo_rows(1, 0.55), meta={"label": "baseline", "site": "showintent"})
    tuned = evaluate_rows(demo_rows(2, 0.93), meta={"label": "fine-tuned", "site": "showintent"})
    return baseline, tuned


def test_write_json_round_trips(tmp_path: Path, reports):
    _, tuned = reports
    path = write_json(tuned, tmp_path / "deep" / "report.json")
    assert EvalReport.model_validate_json(path.read_text()) == tuned
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]  # no temp files left


def test_compare_reports_deltas_and_paired_counts(reports):
    baseline, tuned = reports
    comparison = compare(baseline, tuned)
    assert (comparison.a_label, comparison.b_label) == ("baseline", "fine-tuned")
    exact = next(m for m in comparison.metrics if m.name == "exact match rate")
    assert exact.a == baseline.exact_match_rate and exact.b == tuned.exact_match_rate
    assert exact.delta == pytest.approx(tuned.exact_match_rate - baseline.exact_match_rate)
    assert exact.verdict == "better"
    paired = comparison.paired
    assert paired is not None and paired.n_common == 120
    assert paired.both + paired.only_a + paired.only_b + paired.neither == 120
    assert paired.only_b - paired.only_a == (
        tuned.agreement["fields"].successes - baseline.agreement["fields"].successes)
    assert paired.p_value < 0.001  # 55 % vs 93 % on the same 120 rows is no accident
    same = compare(tuned, tuned)
    assert same.paired.p_value == 1.0 and {m.verdict for m in same.metrics} <= {"same", ""}


def test_mcnemar_exact_p_value_by_hand():
    # 1 row only a got right, 6 only b: p = 2 * (1 + 7) / 2^7 = 0.125
    a = evaluate_rows([EvalRow(id=i, reference={"x": 1}, parsed={"x": 1 if i in (0, 9) else 2})
                       for i in range(10)])
    b = evaluate_rows([EvalRow(id=i, reference={"x": 1}, parsed={"x": 1 if i >= 3 else 2})
                       for i in range(10)])
    paired = compare(a, b).paired
    assert (paired.both, paired.only_a, paired.only_b, paired.neither) == (1, 1, 6, 2)
    assert paired.p_value == pytest.approx(0.125)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_has_its_charts_and_tables(tmp_path: Path, reports):
    baseline, tuned = reports
    decision = decide(tuned, baseline, GateConfig(min_samples=100))
    path = write_html(tuned, tmp_path / "report.html", title="showintent student v3",
                      compare_to=baseline, decision=decision)
    html = path.read_text()
    parser = _Collector()
    parser.feed(html)
    assert parser.tags.count("script") == 0 and "http://" not in html.replace(
        "http://www.w3.org/2000/svg", "")
    # per-field bars, latency histogram, one confusion matrix per enum field
    assert [f.field for f in tuned.confusion] == ["effect", "palette[*]", "tone", "type"]
    assert parser.tags.count("svg") == 2 + len(tuned.confusion)
    svgs = [html[s: html.index("</svg>", s) + 6] for s in _find_all(html, "<svg ")]
    trees = [ET.fromstring(s) for s in svgs]  # each chart is well-formed XML
    titles = [t.find(f"{SVG_NS}title").text for t in trees]
    assert titles[:2] == ["Per-field agreement", "Latency histogram"]
    assert titles[2:] == [f"Confusion matrix of {m.field}" for m in tuned.confusion]
    bars = trees[0].findall(f"{SVG_NS}rect")
    assert len(bars) == 2 * len(compare(baseline, tuned).fields) + 2  # two series + legend
    text = " ".join(parser.text)
    assert "Comparison: baseline → fine-tuned" in text
    assert "Slices" in text and "pt-BR" in text and "telegram" in text
    assert "Top failures" in text and tuned.failures[0].category in text
    assert f"{tuned.exact_match_rate:.1%}" in text
    assert ("PROMOTE" if decision.promote else "DO NOT PROMOTE") in text


def test_html_without_comparison_escapes_row_text(tmp_path: Path):
    rows = [EvalRow(id="<x>", reference={"t": "a"}, raw_text="<script>alert(1)</script>")]
    html = write_html(evaluate_rows(rows), tmp_path / "r.html", title="t & <b>").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<title>t &amp; &lt;b&gt;</title>" in html
    assert html.count("<svg ") == 1  # per-field bars only: no latency, no enum


def _find_all(text: str, needle: str) -> list[int]:
    out, start = [], text.find(needle)
    while start != -1:
        out.append(start)
        start = text.find(needle, start + 1)
    return out


def test_html_of_an_empty_report_still_renders(tmp_path: Path):
    empty = evaluate_rows([])
    decision = decide(empty, None, GateConfig())
    html = write_html(empty, tmp_path / "e.html", title="empty", compare_to=empty,
                      decision=decision).read_text()
    assert "DO NOT PROMOTE" in html and "min_samples" in html
    assert "<svg" not in html and "No failures." in html
