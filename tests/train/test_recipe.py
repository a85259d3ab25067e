"""The training recipe: config, batching, and a real (tiny) training run on SmolLM2."""

from __future__ import annotations

import json
import random

import pytest

from protege.train.recipe import TrainConfig, TrainPair, resolve_bf16
from protege.train.tokens import collate


def test_every_config_field_is_documented():
    for name, info in TrainConfig.model_fields.items():
        assert info.description, f"TrainConfig.{name} has no description"


def test_config_rejects_nonsense():
    with pytest.raises(ValueError):
        TrainConfig(lora_rank=0)
    with pytest.raises(ValueError):
        TrainConfig(learning_rate=-1)


def test_bf16_setting_is_respected_and_auto_is_a_bool():
    assert resolve_bf16(True) is True
    assert resolve_bf16(False) is False
    assert isinstance(resolve_bf16(None), bool)


def test_collate_left_pads_so_answers_end_together():
    pytest.importorskip("torch")
    # ids 1..5 with a 2-token answer, ids 7..9 with a 1-token answer; pad id 0.
    batch = collate([([1, 2, 3, 4, 5], 2), ([7, 8, 9], 1)], pad_id=0)
    assert batch["input_ids"].tolist() == [[1, 2, 3, 4, 5], [0, 0, 7, 8, 9]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]]
    assert batch["position_ids"].tolist() == [[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]]
    # logits of the last 3 positions are kept; the first 2 of them predict the answer tokens.
    assert batch["keep"] == 3
    assert batch["targets"].tolist() == [[4, 5], [-100, 9]]


def test_answer_tokens_follow_the_rendered_prompt(base_model):
    transformers = pytest.importorskip("transformers")
    from protege.students.chat import chat_template_of, render_chat
    from protege.train.tokens import end_of_turn_id, tokenize_pairs

    tokenizer = transformers.AutoTokenizer.from_pretrained(
        str(base_model.folder), gguf_file=base_model.gguf_file
    )
    pair = TrainPair(prompt='{"message": "oi"}', answer='{"type": "unknown"}')
    long_pair = TrainPair(prompt="x " * 400, answer="{}")
    (example,), skipped = tokenize_pairs([pair, long_pair], tokenizer, base_model, max_length=128)
    ids, n_answer = example
    assert skipped == 1
    prompt = render_chat(chat_template_of(base_model.gguf_path), pair.prompt)
    assert tokenizer.decode(ids[:-n_answer]) == prompt
    assert tokenizer.decode(ids[-n_answer:-1]) == pair.answer
    assert ids[-1] == end_of_turn_id(tokenizer) == tokenizer.convert_tokens_to_ids("<|im_end|>")


@pytest.mark.slow
def test_training_writes_adapter_config_metrics_environment(overfit_student):
    pairs, result, calls = overfit_student
    out = result.out_dir
    for name in ("adapter_config.json", "adapter_model.safetensors", "config.json",
                 "metrics.json", "environment.json"):
        assert (out / name).is_file(), name
    config = json.loads((out / "config.json").read_text())
    assert config["max_steps"] == 30 and config["lora_rank"] == 16 and config["base"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 30 and len(metrics["losses"]) == 30
    assert metrics["examples"] == len(pairs) and metrics["skipped_too_long"] == 0
    assert metrics["tokens_per_second"] > 0 and metrics["peak_rss_mb"] > 100
    environment = json.loads((out / "environment.json").read_text())
    assert {"python", "torch", "transformers", "peft", "threads", "cpu"} <= environment.keys()
    assert [step for step, _, _ in calls] == list(range(1, 31))


@pytest.mark.slow
def test_loss_goes_down_on_a_tiny_overfit_set(overfit_student):
    _, result, _ = overfit_student
    first, last = result.losses[0], result.losses[-1]
    assert first > 1.0, first
    assert last < 0.05 * first, result.losses


def test_unfit_pairs_raise_a_clear_error(base_model, tmp_path):
    pytest.importorskip("peft")
    from protege.train.recipe import TrainingError, train_student

    with pytest.raises(TrainingError, match="max_length"):
        train_student(
            [TrainPair(prompt="word " * 100, answer="{}")],
            base_model,
            TrainConfig(max_length=16),
            tmp_path / "out",
            progress=lambda *a: None,
        )
    assert not (tmp_path / "out").exists()


def test_ctrl_c_raises_out_and_writes_nothing(base_model, tmp_path):
    pytest.importorskip("peft")
    from protege.train.recipe import train_student

    def interrupt(step, total, loss):
        raise KeyboardInterrupt

    pairs = [TrainPair(prompt='{"message": "oi"}', answer='{"type": "unknown"}')]
    with pytest.raises(KeyboardInterrupt):
        train_student(pairs, base_model, TrainConfig(max_steps=3), tmp_path / "out", progress=interrupt)
    assert not (tmp_path / "out").exists()


def test_lora_layers_adapts_only_the_top_blocks(base_model, tmp_path):
    """Backward stops at the lowest adapted block, so fewer blocks train faster; the adapter
    must then hold updates for exactly those blocks and no others."""
    pytest.importorskip("peft")
    from safetensors import safe_open

    from protege.train.recipe import train_student

    pairs = [TrainPair(prompt='{"message": "oi"}', answer='{"type": "unknown"}')]
    result = train_student(pairs, base_model, TrainConfig(max_steps=1, lora_layers=2), tmp_path / "out",
                           progress=lambda *a: None)
    with safe_open(str(result.out_dir / "adapter_model.safetensors"), "pt") as weights:
        layers = {int(key.split(".layers.")[1].split(".")[0]) for key in weights.keys()}
    total = json.loads((tmp_path / "out" / "adapter_config.json").read_text())["layers_to_transform"]
    assert layers == set(total) and len(layers) == 2
    assert min(layers) > 0  # the top of the stack, not the bottom


def test_idle_cores_sees_other_processes_and_not_its_own_work():
    """Thread count comes from what *others* use now: a busy neighbour is seen, our own busy
    loop is not (the load average counted both, a minute late)."""
    import subprocess
    import sys
    import time

    from protege.train.machine import _others_busy_cores

    started = time.process_time()
    while time.process_time() - started < 0.3:  # our own work just before: must not count
        pass
    assert _others_busy_cores(0.5) < 0.5
    neighbour = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<5: pass"])
    try:
        time.sleep(0.5)
        assert _others_busy_cores(1.0) > 0.6
    finally:
        neighbour.kill()
        neighbour.wait()


def test_after_step_hook_sees_every_step_and_can_snapshot_the_adapter(base_model, tmp_path):
    """A bench saves mid-run snapshots through ``after_step``: it is called once per optimizer
    step with the live model, and a snapshot taken there differs from the final adapter."""
    pytest.importorskip("peft")
    from safetensors.torch import load_file

    from protege.train.recipe import train_student

    seen = []

    def snapshot(step, model):
        seen.append(step)
        if step == 1:
            model.save_pretrained(str(tmp_path / "step-1"), save_embedding_layers=False)

    pairs = [TrainPair(prompt='{"message": "oi"}', answer='{"type": "unknown"}')]
    result = train_student(pairs, base_model, TrainConfig(epochs=3), tmp_path / "out",  # one step per epoch
                           progress=lambda *a: None, after_step=snapshot)
    assert seen == [1, 2, 3]
    early = load_file(str(tmp_path / "step-1" / "adapter_model.safetensors"))
    final = load_file(str(result.out_dir / "adapter_model.safetensors"))
    assert early.keys() == final.keys()
    assert any(not early[key].equal(final[key]) for key in early)


def test_freed_heap_memory_goes_back_to_the_os_only_when_trimmed():
    """Many small freed blocks stay resident in glibc's heap until ``malloc_trim``: the
    fragmentation that grows training's memory, and what ``trim_every`` undoes."""
    from protege.train.machine import release_freed_memory, rss_mb

    blocks = [bytes(2000) for _ in range(100_000)]  # ~200 MB of heap blocks
    pinned = [bytes(2000) for _ in range(10)]  # above them, so the heap top cannot shrink by itself
    before = rss_mb()
    del blocks
    kept = rss_mb()
    assert release_freed_memory()
    assert kept > before - 50 and rss_mb() < kept - 100, (before, kept, rss_mb())
    assert pinned


def test_trim_every_releases_memory_on_its_steps(base_model, tmp_path, monkeypatch):
    pytest.importorskip("peft")
    from protege.train import recipe

    trimmed_after = []
    steps = []
    monkeypatch.setattr(recipe, "release_freed_memory", lambda: trimmed_after.append(len(steps)) or True)
    pairs = [TrainPair(prompt='{"message": "oi"}', answer='{"type": "unknown"}')]
    recipe.train_student(pairs, base_model, TrainConfig(epochs=5, trim_every=2), tmp_path / "out",
                         progress=lambda *a: None, after_step=lambda step, model: steps.append(step))
    assert steps == [1, 2, 3, 4, 5] and trimmed_after == [1, 3]  # after steps 2 and 4


def test_focus_brings_back_the_pairs_still_wrong_and_zero_keeps_plain_epochs():
    from protege.train.schedule import batch_stream as _batch_stream

    examples = [([1] * (5 + i % 3), 1) for i in range(40)]
    last_loss = [0.01] * 40
    last_loss[7] = 3.0  # the one pair the student has not learned

    def epochs(focus: float, n: int = 2) -> list[list[int]]:
        stream = _batch_stream(examples, TrainConfig(batch_size=4, focus=focus), random.Random(0), last_loss)
        return [[i for _ in range(10) for i in next(stream)] for _ in range(n)]

    for epoch in epochs(0.0):
        assert sorted(epoch) == list(range(40))  # plain: every pair once per epoch
    first, second = epochs(0.5)
    assert sorted(first) == list(range(40))  # the first epoch is always plain
    assert len(second) == 40 and second.count(7) >= 5  # half the epoch drawn by loss (capped)
    assert len(set(second)) >= 15  # the random half still covers the rest


def test_steps_within_a_time_budget():
    from protege.train.schedule import steps_within

    assert steps_within(60, elapsed=10, done=5, planned=100) == 30  # 2 s a step: 25 more fit
    assert steps_within(600, elapsed=10, done=5, planned=100) == 100  # never past the plan
    assert steps_within(5, elapsed=10, done=5, planned=100) == 5  # over budget: stop now


def test_a_time_budget_cuts_the_run_and_says_so(base_model, tmp_path, capfd):
    """A budget far below one step's time stops after the timed steps; the result keeps both
    the steps trained and the steps planned, and the progress total follows the new plan. Ours
    is the only progress shown: transformers' GGUF loader draws no bar of its own."""
    pytest.importorskip("peft")
    from protege.train.recipe import BUDGET_TIMED_STEPS, train_student

    totals = []
    pairs = [TrainPair(prompt='{"message": "oi"}', answer='{"type": "unknown"}')]
    result = train_student(pairs, base_model, TrainConfig(epochs=20, max_minutes=1e-4), tmp_path / "out",
                           progress=lambda step, total, loss: totals.append(total))
    assert result.steps == BUDGET_TIMED_STEPS and result.planned_steps == 20
    assert totals[0] == 20 and totals[-1] == BUDGET_TIMED_STEPS
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["planned_steps"] == 20
    assert "de-quantizing" not in capfd.readouterr().err


def test_passes_keep_each_under_the_token_budget_longest_first():
    from protege.train.schedule import passes

    lengths = [10, 700, 40, 650, 30, 20]
    assert passes(range(6), lengths, 10_000) == [[1, 3, 2, 4, 5, 0]]
    split = passes(range(6), lengths, 1400)
    assert split == [[1, 3], [2, 4, 5, 0]]
    assert all(len(p) * max(lengths[i] for i in p) <= 1400 for p in split)
    assert passes([1, 0], lengths, 100) == [[1], [0]]  # too long for any pass: alone


def test_a_batch_split_into_passes_trains_the_same_step(base_model, tmp_path):
    """Splitting a batch by ``batch_tokens`` changes memory, not the step: the same loss and
    the same adapter after one step as the batch in one pass (fp32)."""
    pytest.importorskip("peft")
    from safetensors.torch import load_file

    from protege.train.recipe import train_student

    pairs = [TrainPair(prompt=json.dumps({"message": "oi " * n}), answer=json.dumps({"type": "x" * n}))
             for n in (1, 5, 9, 30)]
    runs = {}
    for name, tokens in (("whole", 100_000), ("split", 16)):
        config = TrainConfig(max_steps=1, batch_size=4, bf16=False, warmup_steps=0)
        runs[name] = train_student(pairs, base_model, config.model_copy(update={"batch_tokens": tokens}),
                                   tmp_path / name, progress=lambda *a: None)
    assert runs["whole"].losses[0] == pytest.approx(runs["split"].losses[0], rel=1e-4)
    whole = load_file(str(runs["whole"].out_dir / "adapter_model.safetensors"))
    split = load_file(str(runs["split"].out_dir / "adapter_model.safetensors"))
    # AdamW's first step is sign-like (lora_B starts at 0, so each entry is -lr * g / (|g| + eps)):
    # summation order can only move the entries whose gradient is ~0, where the sign is noise.
    # The step is the same when all but a few of those entries agree to within half a step.
    b = [k for k in whole if "lora_B" in k]
    moved = sum(int(((whole[k] - split[k]).abs() > 0.5 * whole[k].abs().max()).sum()) for k in b)
    assert moved <= 1e-3 * sum(whole[k].numel() for k in b)
    assert sum(float((whole[k] - split[k]).norm() ** 2) for k in b) < 0.01 * sum(float(whole[k].norm() ** 2) for k in b)
