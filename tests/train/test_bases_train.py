"""Each downloadable base (gemma3, qwen2) trains, exports exactly and answers in llama.cpp.

CI installs them (`protege bases install NAME` in .ci/run); elsewhere a base that is not
installed skips, and under CI it fails, since then the setup is broken.
"""

from __future__ import annotations

import os

import pytest

from protege.students.base import BaseModel, resolve_base_model
from protege.students.bases import installed_path
from protege.train.export import export_gguf

DOWNLOADED = ["gemma3-270m", "qwen2.5-coder-0.5b"]
MODULES = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
           "mlp.down_proj": "ffn_down", "mlp.up_proj": "ffn_up"}  # transformers' name: llama.cpp's
SCHEMA = {"type": "object", "properties": {"type": {"type": "string"}}, "required": ["type"]}


def _base(name: str) -> BaseModel:
    if installed_path(name) is None:
        message = f"base {name} is not installed: run `protege bases install {name}`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return resolve_base_model(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", DOWNLOADED)
def test_merge_matches_peft_merge(name, tmp_path):
    """A random adapter on q/k/v/down, merged by peft in transformers' layout, equals our merge
    into the Q4_K_M base: these architectures need no rope permutation, and the norms that
    transformers' GGUF loader shifts (gemma) are not touched by the adapter. The merge is read
    back from the file as llama.cpp reads it; a layout that differed from transformers' would
    show against the loaded base."""
    torch = pytest.importorskip("torch")
    from gguf import GGUFReader
    from gguf.quants import dequantize
    from peft import LoraConfig, get_peft_model

    from protege.train.recipe import load_model

    base = _base(name)
    model = load_model(base)
    before = {k: v.clone() for k, v in model.state_dict().items() if "layers.2." in k}
    torch.manual_seed(0)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "down_proj"],
                      init_lora_weights=False)
    peft_model = get_peft_model(model, lora)
    peft_model.save_pretrained(str(tmp_path / "adapter"), save_embedding_layers=False)
    merged = peft_model.merge_and_unload().state_dict()
    del model, peft_model

    out = export_gguf(base, tmp_path / "adapter", tmp_path / "s.gguf", quant="f16")
    exported = {t.name: dequantize(t.data, t.tensor_type) for t in GGUFReader(out).tensors
                if t.name.startswith("blk.2.")}  # the adapted in f16, the rest as the base had them
    for module, tensor in MODULES.items():
        key = f"model.layers.2.{module}.weight"
        want = merged[key] - before[key]
        got = torch.from_numpy(exported[f"blk.2.{tensor}.weight"].astype("float32")) - before[key]
        assert (got - want).abs().max() < 2e-3, module  # f16 rounding only
        if module != "mlp.up_proj":  # adapted: the update is really there
            assert want.abs().max() > 1e-2, module


@pytest.mark.slow
@pytest.mark.parametrize("name", DOWNLOADED)
def test_a_few_real_steps_export_and_answer_in_llama_cpp(name, tmp_path, monkeypatch, eight_pairs):
    """Three optimizer steps on the base, logits for the answer span only (measured on the
    output head), a q8_0 merge, and a schema-constrained answer from llama.cpp with llguidance.
    Qwen's own output head is held in bfloat16 under bf16 autocast; Gemma's is its embeddings."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("peft")
    from protege.students.runtime import StudentRuntime
    from protege.train import recipe
    from protege.train.machine import resolve_bf16
    from protege.train.tokens import tokenize_pairs

    base = _base(name)
    shapes: list[tuple[int, ...]] = []
    original_load = recipe.load_model

    def load_and_watch(*args, **kwargs):
        model = original_load(*args, **kwargs)
        model.get_output_embeddings().register_forward_hook(
            lambda m, i, out: shapes.append((*out.shape, m.weight.dtype)))
        return model

    pairs = eight_pairs
    config = recipe.TrainConfig(max_steps=3, batch_size=4, learning_rate=1e-3, warmup_steps=1, threads=2)
    monkeypatch.setattr(recipe, "load_model", load_and_watch)
    result = recipe.train_student(pairs, base, config, tmp_path / "adapter")
    assert result.steps == 3 and all(loss == loss for loss in result.losses)

    tokenizer = recipe.load_tokenizer(base)
    examples, _ = tokenize_pairs(pairs, tokenizer, base, config.max_length)
    longest_answer = max(n for _, n in examples)
    longest_pair = max(len(ids) for ids, _ in examples)
    vocabulary = len(tokenizer)
    assert len(shapes) == 3
    untied_head = name == "qwen2.5-coder-0.5b"
    head_dtype = torch.bfloat16 if untied_head and resolve_bf16(None) else torch.float32
    for batch, positions, width, dtype in shapes:
        assert dtype == head_dtype
        assert batch == 4 and width >= vocabulary - 1024  # padded vocabularies round up
        assert positions <= longest_answer + 1 < longest_pair  # answer span, not the whole pair

    gguf = export_gguf(base, tmp_path / "adapter", tmp_path / "student.gguf")
    runtime = StudentRuntime.load(gguf, n_threads=2)
    answer = runtime.answer(pairs[2].prompt, SCHEMA, max_tokens=24)
    assert answer.parsed_json is not None and isinstance(answer.parsed_json["type"], str)
