"""The LoRA training recipe for one student: setup, train, save, cleanup.

Read it top to bottom: :func:`train_student` is the whole recipe. Choices that matter on a
2-core CPU, each measured (see bench/train_bench.py):

- The student sees the short student prompt, rendered by the one chat renderer
  (:func:`protege.students.chat.render_chat`), and the loss covers the answer tokens only.
- Batches are left-padded, so every answer ends at the last position and the model computes
  vocabulary logits for the answer span alone (``logits_to_keep``) instead of for every token:
  the 49k-word head is a large share of a 135M model's work.
- Examples are grouped by length before batching, so little time goes to padding.
- bf16 autocast is on when the CPU has native bf16 (AVX512-BF16 / AMX); it is slower elsewhere.

torch, transformers and peft are imported inside the functions: importing protege stays light.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel as Schema
from pydantic import Field

from protege.students.base import BaseModel
from protege.train.converted import load_converted
from protege.train.machine import (
    cuda_available,
    environment,
    idle_cores,
    peak_rss_mb,
    qlora_kwargs,
    release_freed_memory,
    resolve_bf16,
)
from protege.train.progress import ProgressCallback, progress_reporter, write_json
from protege.train.schedule import (
    BUDGET_TIMED_STEPS,
    batch_stream,
    lr_factor,
    passes,
    steps_within,
)
from protege.train.tokens import answer_loss, collate, tokenize_pairs

StepHook = Callable[[int, Any], None]
"""Called after each optimizer step as ``hook(step, peft_model)``: a bench saves snapshots with it."""

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class TrainConfig(Schema):
    """How a student is trained. The resolved copy is written beside every adapter."""

    lora_rank: int = Field(16, ge=1, description="LoRA rank r: width of the low-rank update.")
    lora_alpha: int = Field(32, ge=1, description="LoRA alpha; the update is scaled by alpha/r.")
    lora_dropout: float = Field(
        0.0, ge=0, lt=1, description="Dropout on the LoRA input; 0 trains fastest on small sets."
    )
    target_modules: list[str] = Field(
        default_factory=lambda: list(ALL_LINEAR),
        description="Module names that get a LoRA update (all linear layers of a llama block).",
    )
    lora_layers: int | None = Field(
        None,
        ge=1,
        description="Only the top N transformer blocks get LoRA; None = all. Backward then stops "
        "at the lowest adapted block: top 20 of SmolLM2-135M's 30 trains ~30% faster per step.",
    )
    learning_rate: float = Field(1e-3, gt=0, description="Peak AdamW learning rate.")
    warmup_steps: int = Field(5, ge=0, description="Linear warm-up steps before linear decay.")
    epochs: float = Field(2.0, gt=0, description="Passes over the training pairs.")
    max_steps: int | None = Field(
        None, ge=1, description="Cap on optimizer steps (overrides epochs when smaller)."
    )
    max_minutes: float | None = Field(
        None,
        gt=0,
        description="Time budget for the optimizer steps: from the measured time per step, the "
        "plan shrinks to the steps that fit (the learning-rate decay with it). None = no budget.",
    )
    batch_size: int = Field(8, ge=1, description="Pairs per forward/backward pass.")
    grad_accumulation: int = Field(1, ge=1, description="Batches summed per optimizer step.")
    batch_tokens: int = Field(
        2048, ge=16, description="Most padded tokens in one forward/backward pass: a batch of long "
        "pairs is run as several passes (losses weighted by answer tokens, so the step is the "
        "same), which keeps memory flat for long answers. 2,048 leaves the ShowIntent batches whole "
        "(8 x 170 tokens at most) and ran the RPG map site's steps lighter and faster than 4,096 "
        "(bench/rpg.md)."
    )
    max_length: int = Field(
        2048, ge=16, description="Longest prompt+answer in tokens; longer pairs are skipped (the "
        "runtime's context holds 2,048; batches are padded only to their own longest pair)."
    )
    seed: int = Field(0, description="Seeds python, torch and the data order.")
    bf16: bool | None = Field(
        None, description="bf16 autocast on CPU; None = on when the CPU has native bf16."
    )
    threads: int | None = Field(
        None, ge=1, description="torch threads; None = the cores not already busy (see idle_cores)."
    )
    trim_every: int = Field(
        0, ge=0, description="Return the heap's freed pages to the OS every N optimizer steps "
        "(glibc malloc_trim); 0 = never. Keeps peak memory near the live tensors instead of the "
        "fragmented heap, at some cost per step (bench/train_memory.py)."
    )
    length_grouping: bool = Field(
        True, description="Batch pairs of similar length together to avoid padding waste."
    )
    focus: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of every epoch after the first drawn by each pair's last loss, so pairs "
        "the student still gets wrong come back more often; the rest is a plain random share. "
        "0 = plain shuffled epochs.",
    )


@dataclass(frozen=True)
class TrainPair:
    """One training pair: the student prompt (inputs only) and the answer JSON text."""

    prompt: str
    answer: str


@dataclass
class TrainResult:
    """What a training run produced and how it went."""

    out_dir: Path
    steps: int
    losses: list[float]
    wall_seconds: float
    train_seconds: float
    planned_steps: int
    tokens_per_second: float
    peak_rss_mb: float
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def final_loss(self) -> float:
        return self.losses[-1] if self.losses else math.nan


class TrainingError(RuntimeError):
    """Training cannot start or went wrong in a way the user can fix."""


def train_student(
    pairs: Sequence[TrainPair],
    base: BaseModel,
    config: TrainConfig | None = None,
    out_dir: Path = Path("student"),
    *,
    progress: ProgressCallback | None = None,
    after_step: StepHook | None = None,
) -> TrainResult:
    """Train a LoRA adapter on ``pairs`` and write it with its config, metrics and environment.

    Ctrl-C raises ``KeyboardInterrupt`` out of here; nothing is written before training ends,
    and the caller discards ``out_dir``.
    """
    import torch

    config = config or TrainConfig()
    started = time.perf_counter()
    bf16 = resolve_bf16(config.bf16)
    torch.set_num_threads(config.threads or idle_cores())
    random.seed(config.seed)
    torch.manual_seed(config.seed)

    tokenizer = load_tokenizer(base)
    examples, skipped = tokenize_pairs(pairs, tokenizer, base, config.max_length)
    if not examples:
        raise TrainingError(
            f"no pair fits in max_length={config.max_length} tokens ({skipped} skipped); "
            "raise max_length or shorten the student prompt"
        )
    model = load_model(base)
    if bf16:
        _output_head_in_bf16(model)
    model = _add_lora(model, config)
    device = model.device
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    steps_per_epoch = math.ceil(len(examples) / (config.batch_size * config.grad_accumulation))
    total_steps = max(1, math.ceil(steps_per_epoch * config.epochs))
    if config.max_steps:
        total_steps = min(total_steps, config.max_steps)

    plan = {"steps": total_steps}  # a time budget may shrink it once steps are timed
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, config.warmup_steps, plan["steps"])
    )
    last_loss = [1.0] * len(examples)  # each pair's loss when it was last in a batch
    lengths = [len(ids) for ids, _ in examples]
    batches = batch_stream(examples, config, random.Random(config.seed), last_loss)
    losses: list[float] = []
    tokens = 0
    model.train()
    train_started = time.perf_counter()
    step = 0
    with progress_reporter(progress, total_steps) as report:
        while step < plan["steps"]:
            step += 1
            step_loss = 0.0
            for _ in range(config.grad_accumulation):
                chosen = next(batches)
                answer_tokens = sum(examples[i][1] for i in chosen)
                for part in passes(chosen, lengths, config.batch_tokens):
                    batch = collate([examples[i] for i in part], pad_id, device)
                    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
                        loss, per_pair = answer_loss(model, batch)
                    for i, value in zip(part, per_pair.tolist()):
                        last_loss[i] = value
                    # weighted by answer tokens, the passes add up to the whole batch's mean loss
                    share = sum(examples[i][1] for i in part) / answer_tokens / config.grad_accumulation
                    (loss * share).backward()
                    step_loss += loss.item() * share
                    tokens += int(batch["attention_mask"].sum())
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            if config.trim_every and step % config.trim_every == 0:
                release_freed_memory()
            losses.append(round(step_loss, 5))
            if config.max_minutes and step >= BUDGET_TIMED_STEPS:
                elapsed = time.perf_counter() - train_started
                plan["steps"] = steps_within(config.max_minutes * 60, elapsed, step, total_steps)
            report(step, plan["steps"], step_loss)
            if after_step is not None:
                after_step(step, model)
    train_seconds = time.perf_counter() - train_started

    result = TrainResult(
        out_dir=out_dir,
        steps=step,
        losses=losses,
        wall_seconds=time.perf_counter() - started,
        train_seconds=train_seconds,
        planned_steps=total_steps,
        tokens_per_second=tokens / train_seconds if train_seconds else 0.0,
        peak_rss_mb=peak_rss_mb(),
        config=config.model_dump() | {"bf16": bf16, "base": base.id,
                                      "longest_answer_tokens": max(n for _, n in examples)},
    )
    _save(model, result, examples, skipped, base, config)
    return result


def load_tokenizer(base: BaseModel):
    """The base model's tokenizer, offline, from its GGUF file (or its converted copy) or HF folder/id."""
    _quiet_transformers()
    from transformers import AutoTokenizer

    source, kwargs = _source(base)
    try:
        return load_converted(base, "tokenizer", lambda: AutoTokenizer.from_pretrained(source, **kwargs),
                              AutoTokenizer.from_pretrained)
    except (OSError, ValueError) as err:
        raise TrainingError(f"cannot load the tokenizer of base model {base.id!r}: {err}") from err


def load_model(base: BaseModel):
    """The base model in float32 on CPU (4-bit QLoRA weights on a CUDA machine), offline; a GGUF
    base from its converted copy once one is kept (:mod:`protege.train.converted`)."""
    _quiet_transformers()
    source, kwargs = _source(base)
    try:
        if cuda_available():  # quantized as it loads: nothing to keep converted
            return _from_source(base, source, kwargs | qlora_kwargs())
        # read into memory, not mapped: a mapped file's pages would count in the training's RSS
        # twice over for Qwen's head (float32 on disk, bfloat16 in use): 7.4 GB peak, not 7.1
        return load_converted(base, "model", lambda: _from_source(base, source, kwargs),
                              lambda folder: _from_source(base, folder, {"disable_mmap": True}))
    except (OSError, ValueError) as err:
        raise TrainingError(f"cannot load base model {base.id!r}: {err}") from err


def _from_source(base: BaseModel, source: str, kwargs: dict[str, Any]):
    """The model in float32 from a GGUF file, an HF folder/id or a kept converted copy."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, **kwargs)
    if base.gguf_file and getattr(model, "hf_quantizer", None) and "quantization_config" not in kwargs:
        # GGUF weights arrive dequantized to float32; the leftover GGUF "quantizer" would only
        # make Trainer and save_pretrained refuse a model that is in fact plain float.
        model.hf_quantizer.remove_quantization_config(model)
    return model


def _output_head_in_bf16(model) -> None:
    """Hold an untied output head in bfloat16 under bf16 autocast.

    Autocast runs the head's matmul on a bfloat16 copy of its float32 weight anyway, made at
    every forward and kept for backward, so the logits and gradients do not change; the float32
    weight and the per-step copy go. Qwen2.5's GGUF carries its own output head (136M weights):
    0.5 GB of float32. A head tied to the input embeddings (SmolLM2, Gemma) stays float32, since
    the embeddings feed the float32 residual stream, and holding the whole model in bfloat16
    measured twice as slow per step (bench/bases.md).
    """
    import torch

    head, embeddings = model.get_output_embeddings(), model.get_input_embeddings()
    if head is None or embeddings is None or head.weight.data_ptr() == embeddings.weight.data_ptr():
        return
    head.to(torch.bfloat16)


def _source(base: BaseModel) -> tuple[str, dict[str, Any]]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if base.gguf_file:
        return str(base.folder), {"gguf_file": base.gguf_file}
    return base.id, {}


def _quiet_transformers() -> None:
    """Our own progress bar is the one the user reads: silence transformers' bars and notices."""
    import functools
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")
    try:  # the GGUF loader draws its own tqdm bar; TQDM_DISABLE cannot help, torch imported tqdm first
        from transformers import modeling_gguf_pytorch_utils as gguf_loader
    except ImportError:
        return
    bar = getattr(gguf_loader, "tqdm", None)
    if bar is not None and not isinstance(bar, functools.partial):
        gguf_loader.tqdm = functools.partial(bar, disable=True)


def _add_lora(model, config: TrainConfig):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if getattr(model, "is_loaded_in_4bit", False):
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    lora = LoraConfig(
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        layers_to_transform=_top_layers(model, config.lora_layers),
        task_type="CAUSAL_LM",
    )
    try:
        return get_peft_model(model, lora)
    except ValueError as err:
        raise TrainingError(f"LoRA target modules {config.target_modules} not found: {err}") from err


def _top_layers(model, top: int | None) -> list[int] | None:
    """Indices of the top ``top`` transformer blocks, or None for all of them."""
    total = getattr(model.config, "num_hidden_layers", None)
    if top is None or total is None or top >= total:
        return None
    return list(range(total - top, total))


def _save(model, result: TrainResult, examples, skipped: int, base, config: TrainConfig) -> None:
    out_dir = result.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir), save_embedding_layers=False)
    write_json(out_dir / "config.json", result.config)
    metrics = {
        k: v for k, v in asdict(result).items() if k not in ("out_dir", "config")
    } | {"examples": len(examples), "skipped_too_long": skipped}
    write_json(out_dir / "metrics.json", metrics)
    write_json(out_dir / "environment.json", environment())
