"""Export a trained student as GGUF files that llama.cpp and Ollama run.

We merge the LoRA update straight into the base GGUF instead of going through transformers:
every metadata field (tokenizer, chat template, rope settings) and every tensor the adapter does
not touch is copied as it is, and only the adapted weights are rewritten as
``dequantize(base) + scale * B @ A``. Two details matter:

- llama.cpp stores llama-architecture ``attn_q``/``attn_k`` rows permuted for its rope kernel, and
  transformers un-permutes them when it loads a GGUF. The adapter was trained in transformers'
  layout, so its update is permuted the same way before it is added.
- The default base is Q4_1. A fine-tune's update is small next to the Q4_1 grid step, so
  re-quantising to Q4_1 rounds it away; q8_0 (or f16) keeps it.

Files are written to a temporary name and renamed, so a crash never leaves a half-written model.
numpy and gguf only: no torch needed to export.
"""

from __future__ import annotations

import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from protege.students.base import BaseModel, BaseModelError, check_gguf_file
from protege.students.chat import STUDENT_SYSTEM

QUANTS = ("q8_0", "f16")
_HF_TO_GGUF = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
_LORA_KEY = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")


class ExportError(RuntimeError):
    """An adapter or base model cannot be exported; the message says what to fix."""


def export_gguf(base: BaseModel, adapter_dir: Path, out_path: Path, quant: str = "q8_0") -> Path:
    """Write base + LoRA adapter as one merged GGUF file at ``out_path`` and return it."""
    from gguf import GGMLQuantizationType, LlamaFileType
    from gguf.quants import dequantize, quantize

    if quant not in QUANTS:
        raise ExportError(f"quant must be one of {QUANTS}, not {quant!r}")
    reader = _open_base(base)
    updates, scale = _read_adapter(adapter_dir)
    arch = _architecture(reader)
    heads = _field(reader, f"{arch}.attention.head_count")
    kv_heads = _field(reader, f"{arch}.attention.head_count_kv") or heads
    qtype, file_type = {
        "q8_0": (GGMLQuantizationType.Q8_0, LlamaFileType.MOSTLY_Q8_0),
        "f16": (GGMLQuantizationType.F16, LlamaFileType.MOSTLY_F16),
    }[quant]

    def write(writer) -> None:
        _copy_metadata(reader, writer, skip={"general.file_type"})
        writer.add_file_type(file_type)
        for tensor in reader.tensors:
            pair = updates.pop(tensor.name, None)
            if pair is None:
                writer.add_tensor(
                    tensor.name, tensor.data, raw_shape=tensor.data.shape, raw_dtype=tensor.tensor_type
                )
                continue
            weight = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
            lora_a, lora_b = pair
            delta = scale * (lora_b @ lora_a)
            delta = _to_gguf_rows(tensor.name, delta, arch, heads, kv_heads)
            if delta.shape != weight.shape:
                raise ExportError(
                    f"adapter shape {delta.shape} does not match base tensor {tensor.name} "
                    f"{weight.shape}: was the adapter trained on another base model?"
                )
            merged = weight + delta
            if qtype == GGMLQuantizationType.F16:
                writer.add_tensor(tensor.name, merged.astype(np.float16))
            else:
                data = quantize(merged, qtype)
                writer.add_tensor(tensor.name, data, raw_shape=data.shape, raw_dtype=qtype)
        if updates:
            raise ExportError(f"adapter weights with no base tensor: {sorted(updates)[:3]}")

    return _write_atomically(out_path, arch, write)


def export_lora_gguf(base: BaseModel, adapter_dir: Path, out_path: Path) -> Path:
    """Write the adapter alone as a llama.cpp LoRA GGUF, to hot-swap students on one base."""
    reader = _open_base(base)
    updates, scale = _read_adapter(adapter_dir)
    arch = _architecture(reader)
    heads = _field(reader, f"{arch}.attention.head_count")
    kv_heads = _field(reader, f"{arch}.attention.head_count_kv") or heads
    base_names = {t.name for t in reader.tensors}
    rank = next(iter(updates.values()))[0].shape[0]

    def write(writer) -> None:
        writer.add_string("general.type", "adapter")
        writer.add_string("adapter.type", "lora")
        # llama.cpp scales by alpha / rank, so alpha carries our scale (rsLoRA included).
        writer.add_float32("adapter.lora.alpha", float(scale * rank))
        for name, (lora_a, lora_b) in sorted(updates.items()):
            if name not in base_names:
                raise ExportError(f"adapter weight {name} has no tensor in the base model")
            lora_b = _to_gguf_rows(name, lora_b, arch, heads, kv_heads)
            writer.add_tensor(f"{name}.lora_a", lora_a.astype(np.float32))
            writer.add_tensor(f"{name}.lora_b", lora_b.astype(np.float32))

    return _write_atomically(out_path, arch, write)


def write_ollama_modelfile(gguf_path: Path, out_dir: Path, *, system: str | None = None) -> Path:
    """Write an Ollama ``Modelfile`` whose template renders prompts exactly as render_chat."""
    out_dir.mkdir(parents=True, exist_ok=True)
    gguf_path = Path(gguf_path)
    source = (
        f"./{gguf_path.name}"
        if gguf_path.resolve().parent == out_dir.resolve()
        else str(gguf_path.resolve())
    )
    system = system if system is not None else STUDENT_SYSTEM
    template = (
        "<|im_start|>system\n{{ .System }}<|im_end|>\n"
        "<|im_start|>user\n{{ .Prompt }}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    text = (
        f"FROM {source}\n"
        f'TEMPLATE """{template}"""\n'
        f'SYSTEM """{system}"""\n'
        'PARAMETER stop "<|im_end|>"\n'
        'PARAMETER stop "<|im_start|>"\n'
        "PARAMETER temperature 0\n"
    )
    path = out_dir / "Modelfile"
    tmp = path.with_name(".Modelfile.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def _open_base(base: BaseModel):
    """The base's GGUF, parsed once per process and file version: gguf's reader builds a Python
    object per vocabulary entry (4-14 s for the bases), and a process that trains and exports
    several students of one base would pay that every time."""
    if base.gguf_path is None:
        raise ExportError(
            f"base model {base.id!r} is not a GGUF file; export needs the GGUF base it was "
            "trained from (convert an HF model with llama.cpp's convert_hf_to_gguf.py first)"
        )
    check_gguf_file(base.gguf_path)
    stat = base.gguf_path.stat()
    try:
        return _reader(str(base.gguf_path), stat.st_size, stat.st_mtime_ns)
    except (ValueError, KeyError, IndexError, OSError) as err:
        raise BaseModelError(
            f"{base.gguf_path} is a damaged GGUF file ({err}); re-install or re-export it"
        ) from err


@lru_cache(maxsize=2)
def _reader(path: str, size: int, mtime_ns: int):
    from gguf import GGUFReader

    del size, mtime_ns  # the cache key: a file written again at the same path is parsed again
    return GGUFReader(path)


def _read_adapter(adapter_dir: Path) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
    """LoRA (A, B) pairs keyed by GGUF tensor name, and the alpha/r scale."""
    from safetensors.numpy import load_file

    config_path = adapter_dir / "adapter_config.json"
    weights_path = adapter_dir / "adapter_model.safetensors"
    if not config_path.is_file() or not weights_path.is_file():
        raise ExportError(
            f"{adapter_dir} holds no LoRA adapter (adapter_config.json and "
            "adapter_model.safetensors); train a student first"
        )
    config = json.loads(config_path.read_text())
    if config.get("peft_type") != "LORA" or config.get("use_dora"):
        raise ExportError(f"only plain LoRA adapters export; {adapter_dir} is not one")
    if config.get("rank_pattern") or config.get("alpha_pattern"):
        raise ExportError("per-module rank/alpha patterns are not supported by export")
    rank, alpha = config["r"], config["lora_alpha"]
    scale = alpha / (math.sqrt(rank) if config.get("use_rslora") else rank)
    halves: dict[str, dict[str, np.ndarray]] = {}
    for key, value in load_file(str(weights_path)).items():
        match = _LORA_KEY.search(key)
        if match is None or match.group(2) not in _HF_TO_GGUF:
            raise ExportError(f"cannot map adapter weight {key!r} to a GGUF tensor")
        layer, module, half = match.groups()
        name = f"blk.{layer}.{_HF_TO_GGUF[module]}.weight"
        halves.setdefault(name, {})[half] = value.astype(np.float32)
    return {name: (h["A"], h["B"]) for name, h in halves.items()}, scale


def _to_gguf_rows(name: str, rows: np.ndarray, arch: str, heads: int, kv_heads: int) -> np.ndarray:
    """Permute rows of a q/k projection (or its LoRA B) the way llama.cpp's converter does."""
    if arch != "llama":
        return rows
    if ".attn_q." in name:
        return _rope_permute(rows, heads)
    if ".attn_k." in name:
        return _rope_permute(rows, kv_heads)
    return rows


def _rope_permute(rows: np.ndarray, n_head: int) -> np.ndarray:
    # HF interleaves each head's rotary halves differently from llama.cpp: within a head, rows
    # [half0, half1] become pairs (half0[i], half1[i]).
    out_dim = rows.shape[0]
    return (
        rows.reshape(n_head, 2, out_dim // n_head // 2, *rows.shape[1:])
        .swapaxes(1, 2)
        .reshape(rows.shape)
    )


def _architecture(reader) -> str:
    arch = _field(reader, "general.architecture")
    if not arch:
        raise ExportError("the base GGUF names no general.architecture")
    return arch


def _field(reader, key: str):
    field = reader.fields.get(key)
    return field.contents() if field is not None else None


def _copy_metadata(reader, writer, *, skip: set[str]) -> None:
    from gguf import GGUFValueType

    for key, field in reader.fields.items():
        # The writer adds the header fields and the architecture itself.
        if key.startswith("GGUF.") or key == "general.architecture" or key in skip:
            continue
        vtype = field.types[0]
        sub_type = field.types[-1] if vtype == GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), vtype, sub_type=sub_type)


def _write_atomically(out_path: Path, arch: str, write) -> Path:
    from gguf import GGUFWriter

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        writer = GGUFWriter(tmp, arch)
        write(writer)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        tmp.replace(out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path
