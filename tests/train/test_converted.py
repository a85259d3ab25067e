"""A GGUF base is converted for training once and kept (protege.train.converted): the second load
reads the kept copy, not the GGUF, and gets the same tensors and tokenizer; a damaged copy is
converted again; a cache folder that cannot be written costs time, never the training."""

from __future__ import annotations

import logging
import os
import shutil
import time

import pytest

pytestmark = pytest.mark.slow
MESSAGE = "Olá! deixa o clima romântico por 30 segundos, ação 🎉"


def _no_gguf_reads(monkeypatch):
    from transformers import modeling_gguf_pytorch_utils

    def refuse(*args, **kwargs):
        raise AssertionError("the GGUF was read again")

    monkeypatch.setattr(modeling_gguf_pytorch_utils, "load_gguf_checkpoint", refuse)


@pytest.fixture(scope="module")
def converted(tmp_path_factory, base_model):
    """(cache folder, tokenizer, state dict) of the first, converting, load of the bundled base."""
    from protege.train.recipe import load_model, load_tokenizer

    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROTEGE_CACHE_DIR", str(cache))
        tokenizer, model = load_tokenizer(base_model), load_model(base_model)
    return cache, tokenizer, model.state_dict()


def _same_tensors(a: dict, b: dict) -> bool:
    import torch

    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_the_second_load_reads_the_kept_copy_and_gets_the_same_model(converted, base_model, monkeypatch):
    from protege.train.converted import entry_folder
    from protege.train.recipe import load_model, load_tokenizer

    cache, tokenizer, state = converted
    monkeypatch.setenv("PROTEGE_CACHE_DIR", str(cache))
    entry = entry_folder(base_model)
    assert sorted(p.name for p in entry.iterdir()) == ["model", "tokenizer"]  # no private folder left behind
    assert list(entry.parent.iterdir()) == [entry]
    _no_gguf_reads(monkeypatch)
    again, model = load_tokenizer(base_model), load_model(base_model)
    assert _same_tensors(model.state_dict(), state)
    assert model.get_output_embeddings().weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    assert again(MESSAGE).input_ids == tokenizer(MESSAGE).input_ids
    assert again.chat_template == tokenizer.chat_template and again.eos_token == tokenizer.eos_token
    assert again.get_vocab() == tokenizer.get_vocab()


def test_a_damaged_copy_is_converted_again_and_crashed_saves_are_swept(converted, base_model, tmp_path, monkeypatch, caplog):
    from protege.train.converted import entry_folder
    from protege.train.recipe import load_model

    cache, _, state = converted
    shutil.copytree(cache, tmp_path / "cache")
    monkeypatch.setenv("PROTEGE_CACHE_DIR", str(tmp_path / "cache"))
    weights = entry_folder(base_model) / "model" / "model.safetensors"
    size = weights.stat().st_size
    with open(weights, "r+b") as fh:
        fh.truncate(size // 3)
    kept = entry_folder(base_model)  # where each part's private folder is made
    crashed, saving = kept / ".model-crashed", kept / ".model-saving"  # what two other saves left
    for leftover in (crashed, saving):
        (leftover / "part").mkdir(parents=True)
        (leftover / "part" / "model.safetensors").write_bytes(b"half written")
    os.utime(crashed, (time.time() - 2 * 3600,) * 2)
    with caplog.at_level(logging.WARNING, logger="protege.train"):
        model = load_model(base_model)
    assert _same_tensors(model.state_dict(), state)
    assert "cannot be read" in caplog.text and "converting the GGUF again" in caplog.text
    assert weights.stat().st_size == size  # kept again, whole
    assert not crashed.exists() and saving.is_dir()  # a crashed save's leftovers go, a recent one stays


def test_a_cache_that_cannot_be_written_costs_time_not_the_training(base_model, tmp_path, monkeypatch, caplog):
    from protege.train.recipe import load_tokenizer

    (tmp_path / "not-a-folder").write_text("a file where the cache folder should be")
    monkeypatch.setenv("PROTEGE_CACHE_DIR", str(tmp_path / "not-a-folder"))
    with caplog.at_level(logging.WARNING, logger="protege.train"):
        tokenizer = load_tokenizer(base_model)
    assert tokenizer(MESSAGE).input_ids
    assert "cannot keep the converted base" in caplog.text and "converts it again" in caplog.text
