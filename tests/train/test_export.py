"""GGUF export: the merge is exact, the file loads in llama.cpp, and the fine-tune survives."""

from __future__ import annotations

import pytest

from protege.students.base import BaseModel, BaseModelError
from protege.students.chat import chat_template_of, render_chat
from protege.train.export import ExportError, export_gguf, write_ollama_modelfile


def test_corrupt_base_gguf_raises_a_clear_error(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\xff" * 4096)  # right magic, garbage header
    with pytest.raises(BaseModelError, match="damaged GGUF"):
        export_gguf(BaseModel("broken", tmp_path, "broken.gguf"), tmp_path, tmp_path / "o.gguf")
    bad.write_bytes(b"not a model")
    with pytest.raises(BaseModelError, match="not a valid GGUF"):
        export_gguf(BaseModel("broken", tmp_path, "broken.gguf"), tmp_path, tmp_path / "o.gguf")
    assert not (tmp_path / "o.gguf").exists()


def test_missing_adapter_and_bad_quant_are_refused(base_model, tmp_path):
    with pytest.raises(ExportError, match="no LoRA adapter"):
        export_gguf(base_model, tmp_path, tmp_path / "o.gguf")
    with pytest.raises(ExportError, match="quant must be one of"):
        export_gguf(base_model, tmp_path, tmp_path / "o.gguf", quant="q4_1")


def test_ollama_template_renders_exactly_like_render_chat(base_model, tmp_path):
    gguf = tmp_path / "student.gguf"
    gguf.write_bytes(b"GGUF")
    text = write_ollama_modelfile(gguf, tmp_path).read_text()
    assert text.startswith("FROM ./student.gguf\n")
    assert 'PARAMETER stop "<|im_end|>"' in text and "PARAMETER temperature 0" in text
    template = text.split('TEMPLATE """', 1)[1].split('"""', 1)[0]
    system = text.split('SYSTEM """', 1)[1].split('"""', 1)[0]
    prompt = '{"message": "deixa mais premium"}'
    ollama = template.replace("{{ .System }}", system).replace("{{ .Prompt }}", prompt)
    assert ollama == render_chat(chat_template_of(base_model.gguf_path), prompt)


@pytest.mark.slow
def test_merge_matches_peft_merge_including_rope_permuted_q_k(base_model, tmp_path):
    """A random (untrained) adapter, merged by peft in transformers' layout, equals ours."""
    torch = pytest.importorskip("torch")
    from peft import LoraConfig, get_peft_model

    from protege.train.recipe import load_model

    model = load_model(base_model)
    before = {k: v.clone() for k, v in model.state_dict().items() if "layers.2." in k}
    torch.manual_seed(0)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "down_proj"],
                      init_lora_weights=False)
    peft_model = get_peft_model(model, lora)
    peft_model.save_pretrained(str(tmp_path / "adapter"), save_embedding_layers=False)
    merged = peft_model.merge_and_unload().state_dict()

    out = export_gguf(base_model, tmp_path / "adapter", tmp_path / "m" / "s.gguf", quant="f16")
    exported = load_model(BaseModel("exported", out.parent, out.name)).state_dict()
    for name in ("self_attn.q_proj", "self_attn.k_proj", "mlp.down_proj", "self_attn.v_proj"):
        key = f"model.layers.2.{name}.weight"
        want, got = merged[key] - before[key], exported[key] - before[key]
        assert (got - want).abs().max() < 2e-3, name  # f16 rounding only


@pytest.mark.slow
def test_fine_tune_survives_export_and_runs_in_llama_cpp(overfit_student, base_model, tmp_path):
    llama_cpp = pytest.importorskip("llama_cpp")
    from protege.train.export import export_lora_gguf

    pairs, result, _ = overfit_student
    merged = export_gguf(base_model, result.out_dir, tmp_path / "student.q8_0.gguf")
    adapter = export_lora_gguf(base_model, result.out_dir, tmp_path / "student.lora.gguf")
    template = chat_template_of(base_model.gguf_path)

    def exact_answers(**model_args) -> int:
        llm = llama_cpp.Llama(n_ctx=256, n_threads=1, verbose=False, **model_args)
        hits = 0
        for pair in pairs:
            out = llm(render_chat(template, pair.prompt), max_tokens=48, temperature=0,
                      stop=["<|im_end|>"])
            hits += out["choices"][0]["text"].strip() == pair.answer
        return hits

    assert exact_answers(model_path=str(merged)) >= 7
    assert exact_answers(model_path=str(base_model.gguf_path), lora_path=str(adapter)) >= 7
    assert exact_answers(model_path=str(base_model.gguf_path)) == 0
