"""The dashboard's live numbers of a call site, from calls recorded in a real SQLite store:
rates over the answers that arrived, latency over the calls without error, validators per role,
fallbacks by kind, and the newest failures with their reasons."""

from __future__ import annotations

from protege.store import CallRecord

SITE = "tests:stats"


def record(store, role, *, latency, raw="{}", parsed=None, error=None, verdicts=None, meta=None):
    return store.record_call(CallRecord(site=SITE, fingerprint="f", role=role, inputs={}, raw_output=raw,
                                        parsed_output=parsed, error=error, verdicts=verdicts, latency_ms=latency,
                                        meta=meta or {}))


def test_live_stats_count_what_each_role_answered(store):
    ok = {"short": {"ok": True, "reason": "", "safety": False}}
    bad = {"short": {"ok": False, "reason": "too long", "safety": False}}
    for ms in (10.0, 20.0, 30.0, 40.0):
        record(store, "teacher", latency=ms, parsed={"a": 1}, verdicts=ok)
    record(store, "teacher", latency=99.0, raw="not json", error="invalid_json: Expecting value")
    record(store, "teacher", latency=5.0, raw=None, error="teacher x raised TimeoutError")  # no answer at all
    record(store, "student", latency=200.0, parsed={"a": 1}, verdicts=ok, meta={"live": "serve"})
    record(store, "student", latency=300.0, parsed={"a": 2}, verdicts=bad, error="validator: short",
           meta={"live": "serve", "fallback": "validator: short", "fallback_kind": "validator_failed"})
    record(store, "student", latency=250.0, raw='{"a": ', error="invalid_json: length",
           meta={"live": "serve", "fallback": "invalid_json: length", "fallback_kind": "schema_invalid"})
    record(store, "student", latency=150.0, raw="{}", meta={"live": "shadow", "would_fallback": "invalid_json: stop"})

    stats = store.site_live_stats(SITE)
    teacher, student = stats["roles"]["teacher"], stats["roles"]["student"]
    assert (teacher["calls"], teacher["answered"]) == (6, 5)
    assert teacher["valid_json_rate"] == 0.8 and teacher["schema_valid_rate"] == 0.8
    assert teacher["latency_mean_ms"] == 25.0 and teacher["latency_p95_ms"] == 40.0  # errors left out
    assert teacher["validators"] == {"short": {"n": 4, "passed": 4, "rate": 1.0, "safety": False}}
    assert (student["calls"], student["answered"]) == (4, 4)
    assert student["valid_json_rate"] == 0.5  # the fallen-back invalid answer and the shadow one
    assert student["schema_valid_rate"] == 0.5
    assert student["latency_mean_ms"] == 175.0 and student["latency_p95_ms"] == 200.0
    assert student["validators"]["short"] == {"n": 2, "passed": 1, "rate": 0.5, "safety": False}
    assert stats["fallbacks"] == 2
    assert stats["fallbacks_by_kind"] == {"schema_invalid": 1, "validator_failed": 1}

    failures = store.recent_failures(SITE, limit=3)
    assert [f["error"] for f in failures] == ["invalid_json: length", "validator: short", "teacher x raised TimeoutError"]
    assert store.latencies(SITE, "student") == [200.0, 150.0]


def test_a_site_without_calls_has_no_rates(store):
    assert store.site_live_stats("tests:nothing") == {"roles": {}, "fallbacks": 0, "fallbacks_by_kind": {}}
    assert store.recent_failures("tests:nothing") == []
