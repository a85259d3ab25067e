"""Progress and files of a training run: a Rich bar with ETA (or the caller's callback), and
JSON written so that a killed run never leaves half a file."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

ProgressCallback = Callable[[int, int, float], None]
"""``(step, total steps, loss)`` after every optimizer step."""


@contextmanager
def progress_reporter(callback: ProgressCallback | None, total: int):
    """A context giving ``report(step, total, loss)``: the callback, or a Rich bar with ETA."""
    if callback is not None:
        yield callback
        return
    columns = (
        TextColumn("training"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps  loss {task.fields[loss]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("train", total=total, loss="-")
        yield lambda step, total, loss: bar.update(task, completed=step, total=total, loss=f"{loss:.4f}")


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    tmp.replace(path)
