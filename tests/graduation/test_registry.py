"""Registry, aliases, rollback, immutability and a corrupt model file, with real GGUF files
(the bundled base model stands in for a trained student: registering needs no training)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, Field
from typer.testing import CliRunner

import protege
from protege import router
from protege.cli import app
from protege.evaluate.promote import check_loads
from protege.registry import Registry, RegistryError
from protege.students import probe
from protege.students.base import resolve_base_model
from protege.students.runtime import StudentFileDamaged, StudentLoadError, StudentRuntime

runner = CliRunner()
SEGFAULT_IN_DECODE = "import ctypes, json; print('stage ' + json.dumps('decode'), flush=True); ctypes.string_at(0)"


class Word(BaseModel):
    word: str = Field(max_length=24)


@protege.llm(teacher=lambda text: Word(word=text.split()[0]), name="tests:first_word")
def first_word(text: str) -> Word:
    """The first word of the text."""


def _register(registry: Registry, *, corrupt: bool = False, train_config: dict | None = None):
    staging = registry.staging_dir("tests:first_word")
    target = staging / "student.gguf"
    if corrupt:
        target.write_bytes(b"GGUF" + os.urandom(4096))
    else:
        shutil.copyfile(resolve_base_model().gguf_path, target)
    return registry.register("tests:first_word", first_word.site.fingerprint, staging, base_model="smollm2-135m",
                             base_sha256=None, gguf_file="student.gguf", dataset_hash="d", n_train=3,
                             train_config=train_config or {"max_steps": 1})


def test_versions_are_immutable_and_rollback_is_atomic(store):
    registry = Registry(store)
    v1, v2 = _register(registry), _register(registry)
    assert [v.version for v in registry.versions("tests:first_word")] == [1, 2]
    assert registry.aliases("tests:first_word") == {"candidate": 2}
    assert v1.gguf_sha256 == v2.gguf_sha256 and len(v1.gguf_sha256) == 64
    mode = os.stat(v1.gguf_path).st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # read-only on disk

    with pytest.raises(RegistryError, match="no active version"):
        registry.rollback("tests:first_word")
    registry.promote("tests:first_word", 1, reason="t")
    registry.promote("tests:first_word", 2, reason="t")
    assert registry.rollback("tests:first_word").version == 1
    with pytest.raises(RegistryError, match="no version before v1"):
        registry.rollback("tests:first_word")
    assert registry.rollback("tests:first_word", to=2).version == 2
    with pytest.raises(RegistryError, match="no version v9"):
        registry.rollback("tests:first_word", to=9)
    kinds = [(e["kind"], e["from_value"], e["to_value"]) for e in reversed(registry.events("tests:first_word"))]
    assert kinds == [("train", None, "v1"), ("train", None, "v2"), ("promote", None, "v1"), ("promote", "v1", "v2"),
                     ("rollback", "v2", "v1"), ("rollback", "v1", "v2")]


def test_stale_staging_folders_are_removed_and_never_registered(store):
    registry = Registry(store)
    dead = registry.models_dir / "tests_first_word" / ".staging-999999999-abcd"
    dead.mkdir(parents=True)
    (dead / "adapter.bin").write_bytes(b"half written")
    _register(registry)
    assert not dead.exists()
    assert [v.version for v in registry.versions("tests:first_word")] == [1]


def test_a_corrupt_gguf_is_refused_while_the_previous_version_keeps_serving(store):
    registry = Registry(store)
    good = _register(registry)
    registry.promote("tests:first_word", good.version, reason="t", route="student")
    router.forget_state()
    first_word("hello world")
    router.drain()  # a 5 % spot check may add a teacher call in the background
    assert store.calls("tests:first_word", role="student", limit=1)[0]["meta"]["fallback"] is None

    bad = _register(registry, corrupt=True)
    with pytest.raises(StudentLoadError, match="corrupt|not a valid GGUF|could not load"):
        check_loads(bad)
    assert registry.alias("tests:first_word", "active").version == good.version
    router.forget_state()
    first_word("still serving")
    router.drain()
    last = store.calls("tests:first_word", role="student", limit=1)[0]
    assert last["model"].endswith("@v1") and last["meta"]["fallback"] is None
    assert len(store.calls("tests:first_word", role="student")) == 2

    # a corrupt file made active by hand: each request falls back to the teacher, with the reason
    registry.promote("tests:first_word", bad.version, reason="forced by hand")
    router.forget_state()
    assert first_word("fallback please") == Word(word="fallback")
    teacher = store.calls("tests:first_word", limit=1)[0]
    assert teacher["role"] == "teacher" and teacher["meta"]["fallback"].startswith("student_error: StudentLoadError")


def test_models_route_events_and_export_commands(store, tmp_path):
    registry = Registry(store)
    _register(registry)
    _register(registry)
    registry.promote("tests:first_word", 1, reason="t")
    registry.promote("tests:first_word", 2, reason="t")
    rows = json.loads(runner.invoke(app, ["models", "list", "tests:first_word", "--json"]).stdout)
    assert [(r["version"], r["aliases"]) for r in rows] == [("v1", ""), ("v2", "active,candidate")]
    shown = json.loads(runner.invoke(app, ["models", "show", "tests:first_word", "--json"]).stdout)
    assert shown["version"] == 2 and shown["gguf_sha256"].startswith(rows[1]["gguf_sha256"])
    assert "active is now v1" in runner.invoke(app, ["models", "rollback", "tests:first_word"]).stdout
    assert "route is now shadow" in runner.invoke(app, ["route", "tests:first_word", "shadow"]).stdout
    bad = runner.invoke(app, ["route", "tests:first_word", "sideways"])
    assert bad.exit_code == 1 and "teacher, shadow or student" in bad.stderr
    events = json.loads(runner.invoke(app, ["events", "tests:first_word", "--json"]).stdout)
    assert [e["kind"] for e in events[:2]] == ["route", "rollback"] and events[0]["reason"] == "by hand"
    out = tmp_path / "exported"
    result = runner.invoke(app, ["export", "tests:first_word", "--format", "ollama", "-o", str(out)])
    assert result.exit_code == 0, result.stdout
    modelfile = (out / "Modelfile").read_text()
    assert "FROM ./first_word-v1.gguf" in modelfile and "<|im_start|>" in modelfile
    assert (out / "first_word-v1.gguf").stat().st_size == os.stat(registry.get("tests:first_word", 1).gguf_path).st_size


def test_route_to_student_needs_an_active_version(store):
    result = runner.invoke(app, ["route", "tests:nothing", "student"])
    assert result.exit_code == 1 and "no active student version" in result.stderr


def test_a_version_trained_on_another_student_view_is_never_served(store):
    """A student sees only what it was trained on: when the site's student_inputs change, the
    old version's answers would come from prompts it never saw, so every request falls back."""
    registry = Registry(store)
    version = _register(registry, train_config={"max_steps": 1, "student_inputs": ["text.first"]})
    registry.promote("tests:first_word", version.version, reason="t", route="student")
    router.forget_state()
    assert first_word("fallback please") == Word(word="fallback")
    teacher = store.calls("tests:first_word", role="teacher", limit=1)[0]
    assert teacher["meta"]["fallback"].startswith("student_view_changed: this version was trained on")
    assert teacher["meta"]["fallback_kind"] == "view_changed"


def test_a_damaged_student_file_is_refused_before_it_is_loaded(store):
    """A bit flip in a registered version's tensor data: llama.cpp would load and serve it, so
    the registered SHA-256 is what stops it."""
    registry = Registry(store)
    version = _register(registry)
    registry.promote("tests:first_word", version.version, reason="t", route="student")
    path = Path(version.gguf_path)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 16] = bytes(b ^ 0xFF for b in data[middle:middle + 16])
    path.write_bytes(bytes(data))

    with pytest.raises(StudentFileDamaged, match="damaged: its sha256 .* differs from the registered"):
        StudentRuntime.load(path, expected_sha256=version.gguf_sha256)
    router.forget_state()
    assert first_word("fallback please") == Word(word="fallback")
    teacher = store.calls("tests:first_word", role="teacher", limit=1)[0]
    assert teacher["meta"]["fallback"].startswith("student_error: StudentFileDamaged")
    assert teacher["meta"]["fallback_kind"] == protege.Fallback.STUDENT_ERROR == "student_error"
    listed = json.loads(runner.invoke(app, ["calls", "tests:first_word", "--json"]).stdout)
    assert [c["fallback"] for c in listed[:2]] == ["student_error", "student_error"]  # the teacher's and the student's
    shown = runner.invoke(app, ["models", "show", "tests:first_word", "--json"])
    assert json.loads(shown.stdout)["file"].startswith("damaged: sha256")
    assert "model file is damaged" in runner.invoke(app, ["models", "show", "tests:first_word"]).stderr


def test_a_student_runtime_that_crashes_sends_requests_to_the_teacher(store, monkeypatch, tmp_path):
    """llama.cpp segfaulting (as ggml's AMX kernels do on some Xeons) is contained in the probe's
    child process: the caller gets the teacher's answer and the reason is recorded."""
    monkeypatch.setenv("PROTEGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(probe, "_child_argv", lambda *a: [sys.executable, "-c", SEGFAULT_IN_DECODE])
    probe.forget()
    registry = Registry(store)
    version = _register(registry)
    registry.promote("tests:first_word", version.version, reason="t", route="student")
    router.forget_state()
    try:
        assert first_word("fallback please") == Word(word="fallback")
    finally:
        probe.forget()
    teacher = store.calls("tests:first_word", role="teacher", limit=1)[0]
    assert "crashed with SIGSEGV during the decode stage" in teacher["meta"]["fallback"]


def test_a_version_that_does_not_load_is_never_logged_as_promoted(store, monkeypatch):
    """The gate holds, then the load check fails: the log says refuse, never promote, and
    nothing changes alias or route."""
    from protege.evaluate import promote
    from protege.evaluate.gate import GateDecision

    for i in range(30):
        first_word(f"word{i} is first")
    version = _register(registry := Registry(store))

    def fails(_version):
        raise StudentLoadError("llama.cpp crashed with SIGSEGV during the decode stage")

    monkeypatch.setattr(promote, "decide", lambda *a: GateDecision(promote=True, reasons=[], checks=[], numbers={}))
    monkeypatch.setattr(promote, "check_loads", fails)
    with pytest.raises(StudentLoadError):
        promote.gate_site(first_word.site, version=version.version, store=store, registry=registry)
    events = registry.events("tests:first_word")
    assert [e["kind"] for e in events] == ["gate", "train"]
    assert events[0]["to_value"] == "v1:refuse" and "does not load" in events[0]["reason"]
    assert registry.alias("tests:first_word", "active") is None and store.route("tests:first_word") == "teacher"
