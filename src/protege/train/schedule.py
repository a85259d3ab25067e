"""The order and pace of a training run: which examples form each batch (length grouping,
loss-focused later epochs), the learning-rate schedule, and how many steps fit a time budget."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protege.train.recipe import TrainConfig


BUDGET_TIMED_STEPS = 5
"""Steps timed before a time budget resizes the plan (the first steps carry warm-up costs)."""


def steps_within(budget_seconds: float, elapsed: float, done: int, planned: int) -> int:
    """How many steps in all fit ``budget_seconds``, at the mean time per step so far: never
    more than planned, never fewer than already done."""
    per_step = elapsed / max(1, done)
    fits = done + int(max(0.0, budget_seconds - elapsed) / per_step)
    return max(done, min(planned, fits))


def batch_stream(examples, config: TrainConfig, rng: random.Random, last_loss: Sequence[float]):
    """Endless batches of example indices, reshuffled each epoch; with grouping, similar lengths
    share a batch.

    Grouping sorts within windows of 16 batches, then shuffles the batches, so each batch has
    little padding while the order stays random. With ``focus``, every epoch after the first
    keeps a random (1 - focus) share of the pairs and draws the rest, with replacement, in
    proportion to each pair's last loss (capped at 4x the mean, so a few unlearnable pairs
    cannot take the whole share).
    """
    size = config.batch_size
    everyone = range(len(examples))
    epoch = 0
    while True:
        order = list(everyone)
        rng.shuffle(order)
        if epoch and config.focus:
            drawn = round(config.focus * len(order))
            cap = 4 * sum(last_loss) / max(1, len(last_loss))
            weights = [min(loss, cap) + 1e-6 for loss in last_loss]
            order = order[drawn:] + rng.choices(everyone, weights=weights, k=drawn)
            rng.shuffle(order)
        epoch += 1
        if config.length_grouping:
            window = size * 16
            order = [
                i
                for start in range(0, len(order), window)
                for i in sorted(order[start : start + window], key=lambda i: len(examples[i][0]))
            ]
        batches = [order[i : i + size] for i in range(0, len(order), size)]
        rng.shuffle(batches)
        yield from batches


def lr_factor(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return (step + 1) / (warmup + 1)
    return max(0.0, (total - step) / max(1, total - warmup))


def passes(chosen: Sequence[int], lengths: Sequence[int], max_tokens: int) -> list[list[int]]:
    """``chosen`` (one batch of example indices) split into forward/backward passes of at most
    ``max_tokens`` padded tokens each (a pass pads to its longest pair), longest pairs first;
    a pair longer than ``max_tokens`` gets a pass of its own."""
    order = sorted(chosen, key=lambda i: lengths[i], reverse=True)
    split: list[list[int]] = []
    for i in order:
        if split and (len(split[-1]) + 1) * lengths[split[-1][0]] <= max_tokens:
            split[-1].append(i)
        else:
            split.append([i])
    return split
