"""Training speed: protege's recipe against a plain HF Trainer baseline, side by side.

protege trains on the short student prompt with loss and logits on the answer only, batches
grouped by length. The baseline is what a TRL/HF Trainer tutorial does: the full teacher prompt
(instructions + schema + input), loss on every token, random batches padded to the longest.
Both see the same synthetic ShowIntent-like pairs (student prompt ~80 tokens, answer ~40) and
run a few steps at batch 8; we report seconds per step, tokens/s, peak RSS and the time to train
500 pairs for the default number of epochs.

Run: .venv/bin/python bench/train_bench.py [--steps 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from protege.students.base import resolve_base_model
from protege.train.machine import peak_rss_mb
from protege.train.recipe import TrainConfig, TrainPair, train_student

MOODS = ["premium", "romantic", "calm", "party", "chill", "epic", "retro", "dark"]
MESSAGES = [
    "deixa mais {mood}",
    "bota um clima {mood} agora, a galera tá pedindo",
    "make it more {mood} please",
    "pode deixar o show {mood} até o bolo",
    "/mood {mood} intensidade média",
    "galera quer algo {mood}, muda aí sem exagerar",
]
TEACHER_INSTRUCTIONS = """You translate messages from the operator of a live party show into one
ShowIntent JSON object. The policy runtime, not you, decides what is allowed: never invent
permissions, never execute anything, just describe the intent. Messages come in Portuguese,
English or Telegram slash-commands, often informal, with typos and slang.

Rules:
- Output exactly one JSON object that validates against the schema below, nothing else.
- "type" is one of: change_mood, set_volume, next_track, stop_show, set_lights, announce,
  play_song, undo, unknown.
- change_mood needs "mood" (one of premium, romantic, calm, party, chill, epic, retro, dark) and
  "intensity" between 0 and 1 (0.3 mild, 0.5 medium, 0.8 strong).
- Use "target" for the stage or zone when the message names one, else "main_stage".
- Put a short English "reason" quoting the words that led to the intent.
- If the message is not an instruction, answer {"type": "unknown"}.
- chat_role tells who wrote: operator, guest or bot; guests may only request songs.

JSON schema:
{"oneOf": [{"type": "object", "properties": {"type": {"const": "change_mood"}, "mood":
{"enum": ["premium", "romantic", "calm", "party", "chill", "epic", "retro", "dark"]},
"intensity": {"type": "number", "minimum": 0, "maximum": 1}, "target": {"type": "string"},
"reason": {"type": "string"}}, "required": ["type", "mood", "intensity"]}, {"type": "object",
"properties": {"type": {"const": "set_volume"}, "level": {"type": "number"}}}, {"type":
"object", "properties": {"type": {"const": "announce"}, "name": {"type": "string"}}}]}

Input:
"""


def showintent_pairs(n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """(student prompt, teacher prompt, answer) triples shaped like ShowIntent traffic."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        mood = rng.choice(MOODS)
        inputs = {
            "message": rng.choice(MESSAGES).format(mood=mood),
            "chat_role": "operator",
            "show_state": {"mood": rng.choice(MOODS), "volume": round(rng.random(), 2)},
            "stage": rng.choice(["main_stage", "lounge", "garden"]),
            "message_id": 1000 + i,
        }
        answer = {
            "type": "change_mood",
            "mood": mood,
            "intensity": rng.choice([0.3, 0.5, 0.8]),
            "target": inputs["stage"],
            "reason": f"operator asked for {mood}",
        }
        student = json.dumps(inputs, ensure_ascii=False)
        rows.append((student, TEACHER_INSTRUCTIONS + student, json.dumps(answer)))
    return rows


def bench_recipe(pairs: list[TrainPair], steps: int, bf16: bool | None, threads: int | None) -> dict:
    base = resolve_base_model()
    stamps: list[float] = []
    config = TrainConfig(max_steps=steps, batch_size=8, bf16=bf16, threads=threads)
    with tempfile.TemporaryDirectory() as tmp:
        result = train_student(
            pairs, base, config, Path(tmp) / "out", progress=lambda *a: stamps.append(time.perf_counter())
        )
    per_step = statistics.median(b - a for a, b in zip(stamps, stamps[1:]))
    tokens_per_step = result.tokens_per_second * result.train_seconds / result.steps
    return {
        "setup": f"protege recipe (student prompt, answer-only loss, bf16={result.config['bf16']})",
        "seconds_per_step": per_step,
        "tokens_per_step": tokens_per_step,
        "tokens_per_second": tokens_per_step / per_step,
        "peak_rss_mb": result.peak_rss_mb,
        "load_seconds": result.wall_seconds - result.train_seconds,
    }


def bench_hf_trainer(texts: list[str], steps: int, bf16: bool, threads: int | None) -> dict:
    """A plain transformers Trainer with peft LoRA on full texts, loss on all tokens."""
    import os

    import torch

    torch.set_num_threads(threads or os.cpu_count() or 1)
    from peft import LoraConfig, get_peft_model
    from transformers import DataCollatorForLanguageModeling, Trainer, TrainerCallback, TrainingArguments

    from protege.train.recipe import ALL_LINEAR, load_model, load_tokenizer

    model, tokenizer = load_model(resolve_base_model()), load_tokenizer(resolve_base_model())
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=ALL_LINEAR))
    dataset = [tokenizer(text, add_special_tokens=False) for text in texts]
    stamps: list[float] = []

    class Clock(TrainerCallback):
        def on_step_end(self, *args, **kwargs):
            stamps.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp,
            per_device_train_batch_size=8,
            max_steps=steps,
            learning_rate=2e-4,
            bf16=bf16,
            use_cpu=True,
            report_to=[],
            save_strategy="no",
            logging_steps=1,
            disable_tqdm=True,
            dataloader_num_workers=0,
            seed=0,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=dataset,
            data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
            callbacks=[Clock()],
        )
        trainer.train()
    per_step = statistics.median(b - a for a, b in zip(stamps, stamps[1:]))
    tokens_per_step = 8 * statistics.mean(len(row["input_ids"]) for row in dataset)
    return {
        "setup": f"HF Trainer baseline (full teacher prompt, loss on all tokens, bf16={bf16})",
        "seconds_per_step": per_step,
        "tokens_per_step": tokens_per_step,
        "tokens_per_second": tokens_per_step / per_step,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="steps per setup (first is warm-up)")
    parser.add_argument("--pairs", type=int, default=500, help="site size to extrapolate to")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--compare-bf16", action="store_true", help="also run the recipe with bf16 flipped")
    parser.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from protege.students.chat import chat_template_of, render_chat
    from protege.train.machine import resolve_bf16

    rows = showintent_pairs(args.pairs)
    pairs = [TrainPair(student, answer) for student, _, answer in rows]
    template = chat_template_of(resolve_base_model().gguf_path)
    teacher_texts = [render_chat(template, teacher) + answer + "<|im_end|>" for _, teacher, answer in rows]
    native_bf16 = resolve_bf16(None)

    epochs = TrainConfig().epochs
    steps_site = -(-args.pairs // 8) * epochs
    print(f"{args.pairs} pairs x {epochs:g} epochs at batch 8 = {steps_site:g} steps", flush=True)
    runs = [lambda: bench_recipe(pairs, args.steps, native_bf16, args.threads)]
    if not args.skip_baseline:
        runs.append(lambda: bench_hf_trainer(teacher_texts, args.steps, native_bf16, args.threads))
    if args.compare_bf16:
        runs.append(lambda: bench_recipe(pairs, args.steps, not native_bf16, args.threads))
    results = []
    for run in runs:
        row = run()
        row["minutes_for_site"] = steps_site * row["seconds_per_step"] / 60
        results.append(row)
        print(
            f"{row['setup']}\n  {row['seconds_per_step']:.2f} s/step  "
            f"{row['tokens_per_step']:.0f} tok/step  {row['tokens_per_second']:.0f} tok/s  "
            f"peak RSS {row['peak_rss_mb']:.0f} MB  -> {row['minutes_for_site']:.1f} min",
            flush=True,
        )
    if not args.skip_baseline:
        print(f"speed-up vs baseline: {results[1]['minutes_for_site'] / results[0]['minutes_for_site']:.1f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
