"""teacher -> trained -> gate -> shadow -> student -> injected regression -> automatic rollback,
on the real SmolLM2 with real LoRA training (few steps) and real llama.cpp answers."""

from __future__ import annotations

import colors
import pytest

from protege import router
from protege.evaluate.promote import gate_site
from protege.registry import Registry
from protege.train.pipeline import train_site
from protege.train.recipe import TrainConfig

pytestmark = pytest.mark.slow
CONFIG = TrainConfig(max_steps=30, batch_size=8, learning_rate=2e-3, seed=0)


def transitions(registry, site):
    return [(e["kind"], e["from_value"], e["to_value"]) for e in reversed(registry.events(site, limit=100))]


def test_graduation_end_to_end(store):
    site = colors.pick_color.site
    registry = Registry(store)
    colors.TEACHER["flip"] = False

    # 1. teacher route: every call is answered by the teacher and becomes an example
    for text in colors.all_phrases():
        colors.pick_color(text)
    assert store.route(site.name) == "teacher"
    assert len(store.examples(site.name)) == 80

    # 2. train v1; black examples fail the validator and are filtered out of training
    v1 = train_site(site, config=CONFIG, store=store, registry=registry)
    assert v1.version == 1 and registry.aliases(site.name) == {"candidate": 1}
    assert v1.train_config["filter_with_validators"] is True  # which data set it learned from
    # 3. gate: v1 holds the gate on the locked eval set -> active, route shadow
    outcome = gate_site(site, store=store, registry=registry)
    assert outcome.promoted, outcome.decision.reasons
    assert outcome.decision.numbers["n"] >= 8 and outcome.decision.numbers["lower"] >= 0.6
    assert store.route(site.name) == "shadow"

    # 4. shadow: the teacher answers, the student is scored beside it; agreement moves it to student
    for text in colors.all_phrases()[:12]:
        assert colors.pick_color(text).color in text
    router.drain()
    router.forget_state(site.name)
    assert store.route(site.name) == "student"
    shadow_calls = [c for c in store.calls(site.name, role="student", limit=100) if c["meta"]["live"] == "shadow"]
    assert len(shadow_calls) >= 8 and sum(c["meta"]["agree"] for c in shadow_calls) >= 8

    # 5. a second version passes the gate too and becomes active (v1 is now the previous one)
    v2 = train_site(site, config=CONFIG.model_copy(update={"seed": 1}), store=store, registry=registry)
    assert gate_site(site, store=store, registry=registry).promoted
    registry.set_route(site.name, "student", reason="test: serve v2")
    router.forget_state(site.name)
    assert registry.alias(site.name, "active").version == v2.version == 2

    # 6. student route: the student answers; a validator failure falls back to the teacher
    n_examples = len(store.examples(site.name))
    assert colors.pick_color("paint it blue").color == "blue"
    assert colors.pick_color("paint it black").color == "black"  # the teacher's answer, after a fallback
    router.drain()
    student_calls = store.calls(site.name, role="student", limit=2)
    assert student_calls[0]["meta"]["fallback"] == "validator: not_black"
    assert student_calls[1]["meta"]["fallback"] is None and student_calls[1]["meta"]["live"] == "spot_check"
    assert student_calls[1]["meta"]["agree"] is True
    # student answers never became examples; the teacher's spot check and fallback did
    assert len(store.examples(site.name)) == n_examples + 2

    # 7. injected regression: the teacher now disagrees; spot checks demote and roll back
    colors.TEACHER["flip"] = True
    for text in colors.all_phrases()[20:30]:
        colors.pick_color(text)
        router.drain()
        router.forget_state(site.name)
        if store.route(site.name) != "student":
            break
    assert registry.alias(site.name, "active").version == 1
    assert store.route(site.name) == "shadow"

    # every transition is recorded, in order
    assert transitions(registry, site.name) == [
        ("train", None, "v1"),
        ("gate", None, "v1:promote"),
        ("promote", None, "v1"),
        ("route", "teacher", "shadow"),
        ("route", "shadow", "student"),
        ("train", None, "v2"),
        ("gate", None, "v2:promote"),
        ("promote", "v1", "v2"),
        ("route", "student", "shadow"),
        ("route", "shadow", "student"),
        ("rollback", "v2", "v1"),
        ("route", "student", "shadow"),
    ]
    rollback = registry.events(site.name, limit=2)[1]
    assert rollback["reason"].startswith("demoted") and rollback["numbers"]["n"] >= 5
