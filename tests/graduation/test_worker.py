"""The worker's scheduling rules and its store leases (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time

from pydantic import BaseModel

import protege
from protege.registry import Registry
from protege.store import Store
from protege.store import leases as lease
from protege.worker import WorkerConfig, due, in_window, run_once


class Word(BaseModel):
    word: str


@protege.llm(teacher=lambda text: Word(word=text.split()[0]), name="tests:worker_site")
def first_word(text: str) -> Word:
    """The first word."""


def test_low_usage_window_wraps_midnight():
    at = lambda h, m=0: dt.datetime(2026, 1, 1, h, m)  # noqa: E731
    assert in_window(None, at(12))
    assert in_window("01:00-05:00", at(3)) and not in_window("01:00-05:00", at(5))
    assert in_window("22:00-06:00", at(23)) and in_window("22:00-06:00", at(2)) and not in_window("22:00-06:00", at(12))


def test_a_site_is_due_after_enough_new_examples_and_only_at_low_usage(store):
    registry = Registry(store)
    for i in range(5):
        first_word(f"w{i} x")
    site = first_word.site
    assert due(store, site, registry, WorkerConfig(min_new_examples=6)) is None
    assert due(store, site, registry, WorkerConfig(min_new_examples=5)) == "5 new examples"
    busy = WorkerConfig(min_new_examples=5, max_calls_per_minute=0.1)  # 5 calls in the last minutes
    assert due(store, site, registry, busy) is None


def test_run_once_trains_due_sites_once_under_a_lease(store):
    trained = []

    def fake_train(site, *, config, store, registry):
        # stands in for the LoRA run (covered by the end-to-end test); registers a real version
        import shutil

        from protege.students.base import resolve_base_model

        trained.append(site.name)
        staging = registry.staging_dir(site.name)
        shutil.copyfile(resolve_base_model().gguf_path, staging / "student.gguf")
        return registry.register(site.name, site.fingerprint, staging, base_model="b", base_sha256=None,
                                 gguf_file="student.gguf", dataset_hash="h", n_train=3, train_config={})

    for i in range(3):
        first_word(f"w{i} x")
    config = WorkerConfig(min_new_examples=3, gate_after_training=False)
    assert run_once([first_word.site], config, store=store, train=fake_train) == [
        "tests:worker_site: trained v1 (3 new examples)"]
    assert run_once([first_word.site], config, store=store, train=fake_train) == []  # nothing new since v1
    assert trained == ["tests:worker_site"]
    with lease.held(store, "train:tests:worker_site", owner="someone-else") as mine:
        assert mine
        for i in range(3):
            first_word(f"n{i} x")
        assert run_once([first_word.site], config, store=store, train=fake_train) == [
            "tests:worker_site: another worker is training it"]


def _contend(url: str, name: str, results) -> None:
    store = Store(url)
    results.append(lease.try_acquire(store, name, owner=f"p{multiprocessing.current_process().pid}", ttl=60))


def _check_exclusive(url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        results = manager.list()
        procs = [ctx.Process(target=_contend, args=(url, "train:x", results)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert sorted(results) == [False, False, False, True]
    store = Store(url)
    assert not lease.try_acquire(store, "train:x", "late", ttl=60)
    assert lease.try_acquire(store, "train:y", "a", ttl=0.05)
    time.sleep(0.1)
    assert lease.try_acquire(store, "train:y", "b", ttl=60)  # the first holder's lease ran out


def test_leases_are_exclusive_across_processes_on_sqlite(tmp_path):
    _check_exclusive(f"sqlite:///{tmp_path / 'lease.db'}")


def test_leases_are_exclusive_across_processes_on_postgres(pg_url):
    from sqlalchemy import text

    store = Store(pg_url)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM leases"))
    _check_exclusive(pg_url)


def test_killing_the_worker_mid_training_keeps_the_active_version_serving(home, store):
    """SIGKILL during a real training run: nothing half-registered, the active version serves."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    import colors
    from protege import router
    from protege.students.base import resolve_base_model

    registry = Registry(store)
    for text in colors.all_phrases()[:24]:
        colors.pick_color(text)
    staging = registry.staging_dir(colors.pick_color.site.name)  # an active v1 to keep serving
    shutil.copyfile(resolve_base_model().gguf_path, staging / "student.gguf")
    v1 = registry.register(colors.pick_color.site.name, colors.pick_color.site.fingerprint, staging, base_model="b",
                           base_sha256=None, gguf_file="student.gguf", dataset_hash="h", n_train=1, train_config={})
    registry.promote(v1.site, 1, reason="test", route="student")
    from protege.store import ExampleIn

    colors.TEACHER["flip"] = False
    store.add_examples(v1.site, v1.fingerprint, [ExampleIn(inputs={"text": t}, output={"color": colors.teacher(t).color})
                                                 for t in colors.all_phrases()[40:60]])
    env = dict(os.environ, PROTEGE_HOME=str(home / ".protege"), PYTHONPATH=str(Path(colors.__file__).parent))
    proc = subprocess.Popen(
        [sys.executable, "-m", "protege.cli", "worker", "--import", "colors", "--min-new", "10", "--max-steps", "500",
         "--once"], env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    models = home / ".protege" / "models" / "colors_pick_color"
    deadline = time.time() + 120
    while time.time() < deadline and not any(models.glob(".staging-*")) and proc.poll() is None:
        time.sleep(0.2)
    if proc.poll() is not None:
        pytest.fail("worker exited before training: " + proc.stdout.read().decode()[-2000:])
    time.sleep(8)  # loading the base model and into the training loop
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert [v.version for v in registry.versions(v1.site)] == [1]
    assert registry.alias(v1.site, "active").version == 1 and store.route(v1.site) == "student"
    router.forget_state()
    assert colors.pick_color("paint it red").color in colors.COLORS
    router.drain()
    served = [c for c in store.calls(v1.site, role="student", limit=5) if c["inputs"] == {"text": "paint it red"}]
    assert len(served) == 1 and served[0]["model"].endswith("@v1")
