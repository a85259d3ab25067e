"""The one chat renderer, shared by training and inference.

A student sees the base model's chat template around the student prompt. Training tokenizes the
string this module returns plus the answer; the runtime sends the same string to llama.cpp as a
raw completion prompt. Rendering both from one function is what keeps them identical.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from protege.students.gguf_header import string_field

# SmolLM2's own template; used when a model carries none.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# A short fixed system line: keeps SmolLM2's template from inserting its long default one.
STUDENT_SYSTEM = "Answer with JSON only."


def render_chat(template: str, user_text: str, *, system: str | None = STUDENT_SYSTEM) -> str:
    """Render ``user_text`` as a one-turn chat ending with the assistant's opening tag."""
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": user_text}
    ]
    return _compile(template).render(messages=messages, add_generation_prompt=True)


@lru_cache(maxsize=16)
def _compile(template: str) -> jinja2.Template:
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True)
    return env.from_string(template)


def chat_template_of(gguf_path: Path) -> str:
    """The chat template stored in a GGUF file's metadata (ChatML when it has none)."""
    stat = Path(gguf_path).stat()
    return _template_cached(str(gguf_path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _template_cached(path: str, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # the cache key: a file written again at the same path is read again
    return string_field(Path(path), "tokenizer.chat_template") or CHATML_TEMPLATE
