"""GGUF bases, converted for training once and kept.

transformers reads a GGUF base slowly: it parses the file's metadata once for the config, once
for the tokenizer and once for the weights, dequantizes every tensor in Python and rebuilds the
tokenizer from the vocabulary. That took 19 s for SmolLM2-135M, 47 s for Gemma 3 270M and 40 s
for Qwen2.5-Coder-0.5B before every training, on the 2-core AMD EPYC (AVX512-BF16).

So the first load saves what transformers made, float32 safetensors and the tokenizer's own
files, in the cache folder (``PROTEGE_CACHE_DIR``), under the GGUF's sha256 and the transformers
version that converted it. Later loads read that: 0.8 s for SmolLM2, 4.3 s for Gemma (its
tokenizer is slow to build even from its own files) and 3.7 s for Qwen. What is read back is
what was converted, tensor for tensor (tests/train/test_converted.py). An entry is written in a
private folder and renamed into place whole, so a crash or a second process never leaves half an
entry (the next save removes a private folder older than an hour). An entry that cannot be read
is removed, and the base converted again; one that cannot be written only means the next
training pays the conversion again.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from protege.config import cache_dir
from protege.students.base import BaseModel, file_sha256

log = logging.getLogger("protege.train")
Loaded = TypeVar("Loaded")
STALE_SECONDS = 3600  # a private folder this old belongs to a save that crashed, not one under way


def entry_folder(base: BaseModel) -> Path:
    """Where ``base`` (a GGUF file) is kept converted by this version of transformers."""
    import transformers

    assert base.gguf_path is not None, "only a GGUF base is converted"
    return cache_dir() / "converted-bases" / f"{file_sha256(base.gguf_path)[:24]}-transformers-{transformers.__version__}"


def load_converted(base: BaseModel, part: str, from_gguf: Callable[[], Loaded],
                   from_folder: Callable[[str], Loaded]) -> Loaded:
    """``part`` ("model" or "tokenizer") of ``base``: read from its converted copy when one is
    kept, else ``from_gguf()``, saved for next time. A base that is not a GGUF file is loaded
    by ``from_gguf`` as it is."""
    if base.gguf_path is None:
        return from_gguf()
    folder = entry_folder(base) / part
    if folder.is_dir():
        try:
            return from_folder(str(folder))
        except Exception as err:  # noqa: BLE001 - any unreadable entry is converted again
            log.warning("the converted copy of %s in %s cannot be read (%s: %s); converting the GGUF again",
                        base.id, folder, type(err).__name__, err)
            shutil.rmtree(folder, ignore_errors=True)
    loaded = from_gguf()
    _keep(loaded, folder)
    return loaded


def _keep(loaded, folder: Path) -> None:
    """Save ``loaded`` (it has ``save_pretrained``) as ``folder``, whole or not at all."""
    private = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        _sweep_stale(folder.parent)
        private = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        loaded.save_pretrained(private)
        os.rename(private, folder)  # fails if another process kept its copy first: that one stays
        private = None
    except Exception as err:  # noqa: BLE001 - a copy not kept costs time, never the training
        if not folder.is_dir():
            log.warning("cannot keep the converted base in %s (%s); the next training converts it again", folder, err)
    finally:
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


def _sweep_stale(kept: Path) -> None:
    """Remove private folders that a crashed save left in ``kept`` (each up to 2.4 GB)."""
    cutoff = time.time() - STALE_SECONDS
    for leftover in kept.glob(".*"):
        try:
            if leftover.is_dir() and leftover.stat().st_mtime < cutoff:
                log.info("removing %s, left by a conversion that did not finish", leftover)
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:  # another process removed or renamed it first
            continue
