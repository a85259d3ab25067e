"""Training students: the LoRA recipe and GGUF export.

Names load lazily so `import protege.train` stays light; torch, transformers and peft are
imported only when training runs (install the `train` extra).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "TrainConfig": "recipe",
    "TrainPair": "recipe",
    "TrainResult": "recipe",
    "TrainingError": "recipe",
    "train_student": "recipe",
    "ExportError": "export",
    "export_gguf": "export",
    "export_lora_gguf": "export",
    "write_ollama_modelfile": "export",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'protege.train' has no attribute {name!r}")
    return getattr(import_module(f"protege.train.{module}"), name)
