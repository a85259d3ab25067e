"""A student overfitted on eight ShowIntent-like pairs, trained once per test session."""

from __future__ import annotations

import json

import pytest

OVERFIT_PAIRS = [
    ("deixa mais premium", {"type": "change_mood", "mood": "premium", "intensity": 0.5}),
    ("bota um clima romântico", {"type": "change_mood", "mood": "romantic", "intensity": 0.7}),
    ("para tudo agora", {"type": "stop_show"}),
    ("próxima música", {"type": "next_track"}),
    ("make it calmer please", {"type": "change_mood", "mood": "calm", "intensity": 0.3}),
    ("volume no máximo", {"type": "set_volume", "level": 1.0}),
    ("liga as luzes azuis", {"type": "set_lights", "color": "blue"}),
    ("anuncia o aniversariante Pedro", {"type": "announce", "name": "Pedro"}),
]


def overfit_pairs():
    from protege.train.recipe import TrainPair

    return [
        TrainPair(
            prompt=json.dumps({"message": message, "chat_role": "operator"}, ensure_ascii=False),
            answer=json.dumps(answer, ensure_ascii=False),
        )
        for message, answer in OVERFIT_PAIRS
    ]


@pytest.fixture
def eight_pairs():
    """The eight overfit pairs as TrainPairs."""
    return overfit_pairs()


@pytest.fixture(scope="session")
def base_model():
    from protege.students.base import resolve_base_model

    return resolve_base_model()


@pytest.fixture(scope="session")
def overfit_student(tmp_path_factory, base_model):
    """(pairs, TrainResult, progress calls) for 30 steps on the eight pairs."""
    pytest.importorskip("peft")
    from protege.train.recipe import TrainConfig, train_student

    pairs = overfit_pairs()
    calls: list[tuple[int, int, float]] = []
    config = TrainConfig(max_steps=30, epochs=100, batch_size=8, learning_rate=2e-3, warmup_steps=3)
    out_dir = tmp_path_factory.mktemp("student") / "v1"
    result = train_student(
        pairs, base_model, config, out_dir, progress=lambda *args: calls.append(args)
    )
    return pairs, result, calls
