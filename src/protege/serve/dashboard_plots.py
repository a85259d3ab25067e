"""The site page's charts, inline SVG (no script, no network): who answered, live rates beside
the last eval's, latency, and the events timeline. Bars and histograms are the eval report's
(:mod:`protege.evaluate.svg`); the timeline is drawn here."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from protege.evaluate.svg import SERIES_COLOURS, hbar_chart, histogram, nice_bins

EVENT_COLOURS = {"train": "#3b6fb6", "gate": "#8e44ad", "promote": "#2e8b57", "route": "#e08a2c",
                 "demote": "#c0392b", "rollback": "#c0392b"}


def site_charts(panel: dict, latencies: dict[str, list[float]]) -> dict[str, tuple[str, str]]:
    """Caption and SVG of each chart, by name."""
    charts = {"answered": ("Calls answered by teacher, student, fallback", answered_chart(panel["answered"])),
              "rates": ("Pass rates: live answers beside the last eval", rates_chart(panel))}
    for role, values in latencies.items():
        stats = panel["live"]["roles"].get(role) or {}
        if values and stats.get("latency_mean_ms") is not None:
            caption = (f"{role.capitalize()} latency: mean {stats['latency_mean_ms']:,.1f} ms, "
                       f"p95 {stats['latency_p95_ms']:,.1f} ms")
            svg = histogram(values, title=caption, x_label=f"{role} latency, ms", bins=nice_bins(len(values)),
                            markers=[("mean", stats["latency_mean_ms"])], width=560)
            charts[f"latency_{role}"] = (caption, svg)
    if panel["events"]:
        charts["timeline"] = ("Events over time (hover a mark for its reason)", events_timeline(panel["events"]))
    return charts


def sites_chart(sites: list[dict]) -> str:
    """Per call site: teacher calls beside the answers its student served."""
    labels = [row["site"] for row in sites]
    teacher = [float(row["teacher_calls"]) for row in sites]
    student = [float(row["served_by_student"]) for row in sites]
    return hbar_chart(labels, [("teacher calls", teacher), ("answered by student", student)],
                      title="calls per call site", max_value=max(teacher + student + [1.0]), percent=False)


def answered_chart(answered: dict[str, int]) -> str:
    labels = ["teacher", "student", "fallback"]
    values = [float(answered[k]) for k in labels]
    return hbar_chart(labels, [("calls", values)], title="calls answered by teacher, student, fallback",
                      max_value=max(values + [1.0]), percent=False, width=560)


def rates_chart(panel: dict) -> str:
    """Valid JSON, schema-valid and each validator: live teacher and student answers, last eval."""
    roles = panel["live"]["roles"]
    evaluated = panel["last_eval"] or {}
    names = sorted({n for r in roles.values() for n in r["validators"]} | {v["name"] for v in evaluated.get("validators", [])})
    labels = ["valid JSON", "schema-valid"] + [f"validator {n}" for n in names]
    eval_validators = {v["name"]: v["rate"] for v in evaluated.get("validators", [])}
    series = []
    for role in ("teacher", "student"):
        if role in roles:
            r = roles[role]
            series.append((f"{role} (live)", [r["valid_json_rate"], r["schema_valid_rate"]]
                           + [(r["validators"].get(n) or {}).get("rate") for n in names]))
    if evaluated:
        series.append((f"eval {evaluated['version']}", [evaluated["valid_json_rate"], evaluated["schema_valid_rate"]]
                       + [eval_validators.get(n) for n in names]))
    if not series:
        series = [("no calls yet", [None] * len(labels))]
    return hbar_chart(labels, series, title="valid JSON, schema-valid and validator pass rates", width=720)


def events_timeline(events: list[dict], width: int = 720) -> str:
    """One mark per event on a time axis, coloured by kind; hover shows what happened."""
    times = [datetime.fromisoformat(e["created_at"]) for e in events]
    kinds = list(dict.fromkeys(e["kind"] for e in reversed(events)))
    left, right, top, row_h = 80, 16, 10, 22
    height = top + row_h * len(kinds) + 30
    lo, hi = min(times), max(times)
    span = (hi - lo).total_seconds() or 1.0
    plot_w = width - left - right
    body = []
    for i, kind in enumerate(kinds):
        y = top + i * row_h + row_h / 2
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(kind)}</text>')
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eee"/>')
    for event, when in zip(events, times):
        x = left + plot_w * ((when - lo).total_seconds() / span if len(events) > 1 else 0.5)
        y = top + kinds.index(event["kind"]) * row_h + row_h / 2
        change = f"{event.get('from_value') or ''} → {event.get('to_value') or ''}"
        tip = f"{event['created_at']} {event['kind']} {change} {event.get('reason') or ''}"
        colour = EVENT_COLOURS.get(event["kind"], SERIES_COLOURS[0])
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}" fill-opacity="0.8">'
                    f"<title>{escape(tip)}</title></circle>")
    base = top + row_h * len(kinds) + 4
    body.append(f'<text x="{left}" y="{base + 16}" fill="#555">{escape(lo.strftime("%Y-%m-%d %H:%M:%S"))}</text>')
    body.append(f'<text x="{width - right}" y="{base + 16}" text-anchor="end" fill="#555">'
                f'{escape(hi.strftime("%Y-%m-%d %H:%M:%S"))}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" role="img" '
            f'font-family="system-ui, sans-serif" font-size="12"><title>events timeline</title>{"".join(body)}</svg>')
