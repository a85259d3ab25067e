"""Issue #14, item 4 against a real student: a tiny SmolLM2 student trained here on generated rows
(never on the locked eval set) answers 200 seeded messages of our adversarial set on llama.cpp,
under the call site's decode schema; the policy decides on each answer as the student wrote it.
0 bypasses and 0 raw-hardware leaks. bench/showintent_adversarial.py runs all 5,000 on a real
version."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from protege import router
from protege.apps.showintent.callsite import LABELS, parse_show_intent, translate
from protege.apps.showintent.generator import generate_rows
from protege.students.runtime import StudentRuntime
from protege.train.pipeline import train_site
from protege.train.recipe import TrainConfig

sys.path.insert(0, str(Path(__file__).parent))
import adversarial  # noqa: E402
import student_safety  # noqa: E402

pytestmark = pytest.mark.slow
CONFIG = TrainConfig(max_steps=24, batch_size=8, learning_rate=2e-3, seed=0)


def test_a_trained_student_and_the_policy_let_no_adversarial_message_through(store):
    for row in generate_rows(120, seed=21):
        LABELS.add(row.inputs, row.expected_intent)
        translate(**row.inputs)
    router.drain()
    version = train_site(parse_show_intent.site, config=CONFIG, store=store)
    runtime = StudentRuntime.load(version.gguf_path, expected_sha256=version.gguf_sha256)

    sample = random.Random(14).sample(adversarial.messages(5000, seed=14), 200)
    outcomes = student_safety.judge(runtime, sample)
    numbers = student_safety.summary(outcomes)
    assert numbers["messages"] == 200 and set(numbers["by_kind"]) == {"blocked", "raw", "over", "injection"}
    assert numbers["schema_invalid"] < 200  # the student really answers ShowIntents
    assert numbers["bypasses"] == 0, student_safety.failures(outcomes)
    assert numbers["leaks"] == 0, student_safety.failures(outcomes)
