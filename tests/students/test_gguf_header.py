"""Reading one string from a GGUF header: the same value gguf's own reader finds, None for a key
the header lacks or that holds no string, and a clear error for a file that is not whole."""

from __future__ import annotations

import pytest

from protege.students.base import BaseModelError, resolve_base_model
from protege.students.chat import CHATML_TEMPLATE, chat_template_of
from protege.students.gguf_header import string_field


@pytest.fixture(scope="module")
def gguf_path():
    return resolve_base_model().gguf_path


def test_a_string_is_the_one_ggufs_reader_finds(gguf_path):
    from gguf import GGUFReader

    fields = GGUFReader(gguf_path).fields
    for key in ("tokenizer.chat_template", "general.architecture", "tokenizer.ggml.pre"):
        assert string_field(gguf_path, key) == fields[key].contents(), key
    assert "<|im_start|>" in chat_template_of(gguf_path)
    assert string_field(gguf_path, "tokenizer.no_such_key") is None
    assert string_field(gguf_path, "llama.block_count") is None  # a number, not a string


def test_a_cut_or_foreign_file_is_refused_clearly(gguf_path, tmp_path):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(gguf_path.read_bytes()[:300_000])  # ends inside the vocabulary
    with pytest.raises(BaseModelError, match="damaged GGUF header"):
        string_field(cut, "tokenizer.chat_template")
    foreign = tmp_path / "foreign.gguf"
    foreign.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    with pytest.raises(BaseModelError, match="not a GGUF file"):
        chat_template_of(foreign)


def test_a_file_without_a_template_gets_chatml(tmp_path):
    from gguf import GGUFWriter

    path = tmp_path / "bare.gguf"
    writer = GGUFWriter(path, "llama")
    writer.add_string("general.name", "bare")
    writer.add_array("tokenizer.ggml.tokens", ["a", "bb", "ccc"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert string_field(path, "general.name") == "bare"
    assert chat_template_of(path) == CHATML_TEMPLATE
