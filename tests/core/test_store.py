from __future__ import annotations

import json
import multiprocessing
import sqlite3

import pytest
import sqlalchemy as sa

import protege
from protege.store import CallRecord, ExampleIn, Store, engine
from protege.store.tables import metadata

PINNED_COLUMNS = {
    "call_sites": ["id", "name", "fingerprint", "input_schema", "output_schema", "first_seen", "last_seen"],
    "site_routes": ["site", "route", "updated_at"],
    "calls": [
        "id", "site", "fingerprint", "role", "model", "inputs", "prompt", "raw_output", "parsed_output",
        "verdicts", "latency_ms", "tokens_in", "tokens_out", "cost_usd", "error", "meta", "created_at",
        "live", "agree", "version", "fallback_kind",
    ],
    "examples": [
        "id", "site", "fingerprint", "inputs", "inputs_hash", "output", "source", "teacher_model",
        "approved", "split", "verdicts", "tags", "provenance", "call_id", "created_at",
    ],
    "model_versions": [
        "id", "site", "version", "fingerprint", "base_model", "base_sha256", "path", "gguf_path", "gguf_sha256",
        "dataset_hash", "n_train", "train_config", "metrics", "eval_report", "created_at",
    ],
    "site_aliases": ["site", "alias", "version", "updated_at"],
    "events": ["id", "site", "kind", "from_value", "to_value", "reason", "numbers", "created_at"],
    "leases": ["name", "owner", "expires_at"],
    "reviews": [
        "id", "site", "reviewer", "teacher_call_id", "student_call_id", "role", "label", "scores", "note",
        "created_at", "answered_at",
    ],
}


def test_migrations_build_the_pinned_schema_from_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    eng = engine.create_engine(url)
    assert engine.current_revision(eng) is None
    assert engine.upgrade(eng) == engine.head_revision()
    inspector = sa.inspect(eng)
    for table, columns in PINNED_COLUMNS.items():
        assert [c["name"] for c in inspector.get_columns(table)] == columns
    # the tables module and the migrations agree
    for table, columns in PINNED_COLUMNS.items():
        assert [c.name for c in metadata.tables[table].columns] == columns
    # upgrading again is a no-op
    assert engine.upgrade(eng) == engine.head_revision()


def test_a_program_that_logs_at_info_sees_no_migration_notices(tmp_path):
    """A Jac program configures logging at INFO before protege opens its store: alembic's own
    notices stayed on its screen at every start; a level set for alembic itself is kept."""
    import subprocess
    import sys

    def run(setup: str) -> str:
        code = (f"import logging; logging.basicConfig(level=logging.INFO); {setup}"
                "from protege.store import Store; "
                f"Store('sqlite:///{tmp_path}/p.db').site_names(); Store('sqlite:///{tmp_path}/p.db').site_names()")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
        return done.stderr

    assert "alembic" not in run("") and "Context impl" not in run("")
    assert "Context impl SQLiteImpl" in run("logging.getLogger('alembic').setLevel(logging.INFO); ")


def test_sqlite_runs_in_wal_mode(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def _writer(url: str, worker: int, n: int) -> None:
    """A separate process calling a real call site ``n`` times against the store at ``url``."""
    import sites_for_tests as m

    protege.configure(db_url=url)
    for i in range(n):
        m.create_next_level([m.Level(name=f"w{worker}", difficulty=1)], i)


def _run_writers(url: str, processes: int, calls_each: int) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, w, calls_each)) for w in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0


def test_four_processes_writing_at_once_lose_no_rows(tmp_path):
    _run_writers(f"sqlite:///{tmp_path / 'mp.db'}", 4, 250)
    con = sqlite3.connect(tmp_path / "mp.db")
    assert con.execute("select count(*) from call_sites").fetchone()[0] == 1
    assert con.execute("select count(*) from calls").fetchone()[0] == 1000
    assert con.execute("select count(*) from examples").fetchone()[0] == 1000
    assert con.execute("select count(distinct inputs_hash) from examples").fetchone()[0] == 1000


def test_student_answers_never_become_examples(store):
    call = CallRecord(site="s", fingerprint="f", role="student", inputs={})
    with pytest.raises(ValueError, match="never become training data"):
        store.record_call(call, ExampleIn(inputs={}, output={}))
    assert store.calls("s") == []


def test_add_examples_is_all_or_nothing(store):
    rows = [ExampleIn(inputs={"a": 1}, output={}), ExampleIn(inputs={"a": 2}, output={}, source="bogus")]
    with pytest.raises(ValueError, match="source"):
        store.add_examples("s", "f", rows)
    assert store.examples("s") == []


def test_redaction_happens_before_storage(store):
    @protege.llm(teacher=lambda note: {"note": note + " / reach me at ana@oito.com.br"}, name="tests:note")
    def log_note(note: str) -> dict[str, str]:
        """Log a note."""

    secret = "token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawA, call +55 11 98765-4321, key sk-proj-abcdefghijklmnop1234"
    log_note(secret)  # the caller still gets the full answer
    call = store.calls("tests:note")[0]
    stored = repr(call) + repr(store.examples("tests:note")[0])
    for leaked in ("AAHdqTcv", "98765", "sk-proj", "ana@oito"):
        assert leaked not in stored
    assert "[BOT_TOKEN]" in call["inputs"]["note"] and "[PHONE]" in call["inputs"]["note"]
    assert "[EMAIL]" in call["parsed_output"]["note"] and "[API_KEY]" in call["prompt"]


def test_configured_terms_are_redacted_and_redaction_can_be_off(store):
    protege.configure(redact_terms=["Acme Festival"])

    @protege.llm(teacher=lambda note: {"note": note}, name="tests:note2")
    def log_note(note: str) -> dict[str, str]:
        """Log a note."""

    log_note("the ACME festival stage")
    assert Store.default().calls("tests:note2")[0]["inputs"] == {"note": "the [REDACTED] stage"}
    protege.configure(redact=False)
    log_note("mail x@y.org")
    assert Store.default().calls("tests:note2")[0]["inputs"] == {"note": "mail x@y.org"}


def test_postgres_store_and_concurrent_writers(pg_url):
    store = Store(pg_url)
    assert engine.current_revision(store.engine) == engine.head_revision()
    _run_writers(pg_url, 4, 50)
    assert len(store.examples("sites_for_tests:create_next_level")) == 200
    store.engine.dispose()


def test_live_outcomes_move_from_meta_to_indexed_columns_keeping_old_rows(tmp_path):
    """A store written before 0004 keeps its rows; their live outcomes become columns that live
    monitoring reads with one bounded query."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = engine.create_engine(url)
    assert engine.upgrade(old, to="0003_leases") == "0003_leases"
    insert = sa.text("INSERT INTO calls (site, fingerprint, role, inputs, meta, created_at) "
                     "VALUES ('s', 'f', :role, '{}', :meta, '2026-01-01 00:00:00')")
    with old.begin() as conn:
        for role, meta in [("student", {"live": "shadow", "agree": True, "version": 3}),
                           ("student", {"live": "shadow", "agree": False, "version": 3}),
                           ("student", {"live": "serve", "fallback": None, "version": 3}),
                           ("teacher", {"attempt": 1})]:
            conn.execute(insert, {"role": role, "meta": json.dumps(meta)})
    old.dispose()

    store = Store(url)  # migrates to the newest revision
    assert engine.current_revision(store.engine) == engine.head_revision()
    assert store.live_outcomes("s", 3, kinds=("shadow",), limit=10) == [True, False]
    assert store.live_outcomes("s", 3, kinds=("shadow",), limit=1) == [False]  # the newest only
    assert store.live_outcomes("s", 4, kinds=("shadow",), limit=10) == []
    rows = store.calls("s", limit=10)
    assert [(r["live"], r["agree"], r["version"]) for r in rows] == [
        (None, None, None), ("serve", None, 3), ("shadow", False, 3), ("shadow", True, 3)]
    assert rows[1]["meta"] == {"live": "serve", "fallback": None, "version": 3}  # meta kept as it was
    store.update_call_meta(rows[1]["id"], {"live": "spot_check", "agree": True})
    assert store.live_outcomes("s", 3, kinds=("spot_check",), limit=10) == [True]
    indexes = {ix["name"] for ix in sa.inspect(store.engine).get_indexes("calls")}
    assert "ix_calls_live" in indexes
