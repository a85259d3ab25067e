"""The student runtime: a GGUF student answering a call site's student prompt on llama.cpp.

One :class:`StudentRuntime` per model file per process, shared by every thread: loading costs
~0.1 s plus ~0.2 s to index the vocabulary for the grammar, and a llama.cpp context is not
re-entrant, so each runtime serializes its answers behind its own lock (two different models
answer in parallel). The cache key is the file's path and SHA-256, so a re-exported file at
the same path is a new model, and a file that fails to load never enters the cache.

An answer is the rendered chat prompt (:func:`protege.students.chat.render_chat`, the same
string training tokenizes) greedy-decoded under the call site's output schema; see
:mod:`protege.students.grammar` for how the schema constrains tokens and
:mod:`protege.students.decode` for where the time goes.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protege.students.base import BaseModelError, check_gguf_file, file_sha256
from protege.students.chat import chat_template_of, render_chat
from protege.students.decode import Closers, decode_constrained
from protege.students.grammar import grammar_for, schema_key
from protege.students.probe import RuntimeUnusable, ensure_runs

DEFAULT_N_CTX = 2048
DEFAULT_MAX_TOKENS = 256
MAX_MATCHERS = 64
"""Matchers kept per runtime, one per schema: call sites that narrow their schema per request
(``decode_for``) would otherwise grow the cache without end."""


def default_threads() -> int:
    """Half the cores, at most four: a 135M model gains little from more, and llama.cpp's
    OpenMP threads spin while they wait, so a thread per core collapses (3-5x slower, measured
    on 2 cores) as soon as anything else (a training run) wants a core too."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class StudentLoadError(RuntimeError):
    """A student model file is missing, corrupt, or llama.cpp cannot load it."""


class StudentFileDamaged(StudentLoadError):
    """The file's SHA-256 is not the one recorded when the version was registered."""


class StudentPromptTooLong(ValueError):
    """The rendered student prompt does not fit the context window."""


@dataclass(frozen=True)
class StudentAnswer:
    """One student answer with the numbers the router needs to trust it or fall back.

    ``parsed_json`` is the decoded JSON (a dict for an object schema), or None when decoding
    stopped at ``max_tokens`` before the JSON was complete (``finish_reason == "length"``). ``mean_logprob``/``min_logprob`` are over the
    tokens the model chose (forced tokens excluded); both are 0.0 when the schema forced the
    whole answer.
    """

    text: str
    parsed_json: Any
    tokens_in: int
    tokens_out: int
    latency_ms: float
    mean_logprob: float
    min_logprob: float
    finish_reason: str = "stop"
    tokens_forced: int = 0
    tokens_cached: int = 0


_cache: dict[tuple[str, str], StudentRuntime] = {}
_cache_lock = threading.Lock()


@atexit.register
def _close_all() -> None:
    """Free llama.cpp models before interpreter teardown: llama-cpp-python's own finaliser runs
    after its C bindings are gone and prints a traceback at every exit otherwise."""
    with _cache_lock:
        for runtime in _cache.values():
            try:
                runtime._llm.close()
            except Exception:
                pass
        _cache.clear()


class StudentRuntime:
    """A loaded GGUF student. Get one with :meth:`load`; do not construct it directly."""

    def __init__(self, path: Path, sha256: str, llm: Any, tokenizer: Any) -> None:
        import llama_cpp

        self.path = path
        self.sha256 = sha256
        self._llm = llm
        self._tokenizer = tokenizer
        self._template = chat_template_of(path)
        vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self._stop_ids = frozenset(
            t for t in (llama_cpp.llama_vocab_eos(vocab), llama_cpp.llama_vocab_eot(vocab)) if t >= 0
        )
        self._closers = Closers([tokenizer.decode_bytes([t]) for t in range(llm.n_vocab())])
        self._matchers: dict[str, Any] = {}
        self._decode_options: dict[str, bool] = {}  # the benchmark switches speed-ups off here
        self._lock = threading.Lock()

    @property
    def n_ctx(self) -> int:
        """The context this runtime was opened with, in tokens."""
        return self._llm.n_ctx()

    @property
    def n_threads(self) -> int:
        """The threads llama.cpp runs this runtime's decoding on."""
        return self._llm.n_threads

    @classmethod
    def load(
        cls,
        gguf_path: str | Path,
        *,
        expected_sha256: str | None = None,
        n_threads: int | None = None,
        n_ctx: int = DEFAULT_N_CTX,
    ) -> StudentRuntime:
        """The process-wide runtime for ``gguf_path``, loading it on first use.

        ``expected_sha256`` (a registered version's) refuses a file that changed since, before
        llama.cpp reads a byte of it. The first load of a file on a machine is probed in a child
        process (:mod:`protege.students.probe`), so a llama.cpp crash fails the load instead of
        this process. ``n_threads`` defaults to :func:`default_threads`. Later calls get the
        cached runtime, unless they ask for a larger ``n_ctx`` than it has, or name another
        ``n_threads``: then the file is opened again with those settings, and the new runtime
        replaces the cached one.
        """
        path = Path(gguf_path).expanduser().resolve()
        try:
            check_gguf_file(path)
            sha256 = file_sha256(path)
        except (BaseModelError, OSError) as exc:
            raise StudentLoadError(f"cannot load student {path}: {exc}") from exc
        if expected_sha256 and sha256 != expected_sha256:
            raise StudentFileDamaged(
                f"{path} is damaged: its sha256 {sha256[:12]}... differs from the registered "
                f"{expected_sha256[:12]}...; it was not loaded. Roll back (`protege models rollback`) "
                "or train the version again"
            )
        key = (str(path), sha256)
        threads = n_threads or default_threads()
        with _cache_lock:
            runtime = _cache.get(key)
            if runtime is None or runtime.n_ctx < n_ctx or (n_threads and runtime.n_threads != n_threads):
                try:
                    ensure_runs(path, sha256, n_threads=threads)
                except RuntimeUnusable as exc:
                    raise StudentLoadError(str(exc)) from exc
                n_ctx = max(n_ctx, runtime.n_ctx) if runtime is not None else n_ctx
                runtime = cls._open(path, sha256, n_threads=threads, n_ctx=n_ctx)
                _cache[key] = runtime
        return runtime

    @classmethod
    def _open(cls, path: Path, sha256: str, *, n_threads: int, n_ctx: int) -> StudentRuntime:
        try:
            import llama_cpp
            import llguidance.llamacpp
        except ImportError as exc:
            raise StudentLoadError(
                f"the student runtime needs llama-cpp-python and llguidance ({exc}); "
                "install them: pip install llama-cpp-python llguidance"
            ) from exc
        try:
            llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_batch=min(n_ctx, 512),
                n_threads=n_threads,
                n_threads_batch=n_threads,
                verbose=False,
            )
        except Exception as exc:  # llama.cpp reports every load failure as a bare ValueError
            raise StudentLoadError(
                f"llama.cpp could not load {path} ({exc}); the file is corrupt or not a "
                "llama.cpp model: re-export the student or re-install the base model"
            ) from exc
        vocab = llama_cpp.llama_model_get_vocab(llm.model)
        stops = [t for t in (llama_cpp.llama_vocab_eos(vocab), llama_cpp.llama_vocab_eot(vocab)) if t >= 0]
        tokenizer = llguidance.llamacpp.lltokenizer_from_vocab(vocab, eos_token=stops)
        runtime = cls(path, sha256, llm, tokenizer)
        runtime._prefill_chat_head()
        return runtime

    def answer(
        self, prompt: str, output_schema: dict[str, Any], *, max_tokens: int = DEFAULT_MAX_TOKENS,
        temperature: float = 0.0, seed: int | None = None,
    ) -> StudentAnswer:
        """Answer the student prompt ``prompt`` with JSON that ``output_schema`` accepts: the
        greedy answer, or with ``temperature`` > 0 a sampled one (seeded: the same seed gives
        the same answer)."""
        started = time.perf_counter()
        rendered = render_chat(self._template, prompt)
        prompt_ids = self._llm.tokenize(rendered.encode("utf-8"), add_bos=False, special=True)
        room = self.n_ctx - len(prompt_ids)
        if room < 2:
            raise StudentPromptTooLong(
                f"the student prompt is {len(prompt_ids)} tokens but the context holds "
                f"{self.n_ctx}; shorten the call site's inputs or load with a larger n_ctx"
            )
        with self._lock:
            matcher = self._matcher(schema_key(output_schema))
            decoded = decode_constrained(
                self._llm,
                matcher,
                prompt_ids,
                max_tokens=min(max_tokens, room - 1),
                stop_ids=self._stop_ids,
                closers=self._closers,
                detokenize=self._tokenizer.decode_bytes,
                temperature=temperature,
                seed=seed,
                **self._decode_options,
            )
            text = self._llm.detokenize(decoded.tokens).decode("utf-8", errors="replace")
        parsed = json.loads(text) if decoded.finish_reason == "stop" else None
        logprobs = decoded.logprobs
        return StudentAnswer(
            text=text,
            parsed_json=parsed,
            tokens_in=len(prompt_ids),
            tokens_out=len(decoded.tokens),
            latency_ms=(time.perf_counter() - started) * 1000.0,
            mean_logprob=sum(logprobs) / len(logprobs) if logprobs else 0.0,
            min_logprob=min(logprobs) if logprobs else 0.0,
            finish_reason=decoded.finish_reason,
            tokens_forced=decoded.tokens_forced,
            tokens_cached=decoded.tokens_cached,
        )

    def _prefill_chat_head(self) -> None:
        """Evaluate the part of the rendered prompt that every call shares, once, at load.

        The first llama_decode of a context also allocates its compute buffers (~1 s here),
        so this keeps both costs out of the first answer; later answers reuse the head's
        key/value state through the prefix match in :func:`decode.reuse_prefix`.
        """
        head = render_chat(self._template, "\x00").split("\x00", 1)[0]
        head_ids = self._llm.tokenize(head.encode("utf-8"), add_bos=False, special=True)
        self._llm.reset()
        self._llm.eval(head_ids or self._llm.tokenize(b"{", add_bos=False))

    def _matcher(self, schema_text: str) -> Any:
        """A matcher for this schema at its start state (one per schema, reused under the lock)."""
        import llguidance

        matcher = self._matchers.get(schema_text)
        if matcher is not None:
            matcher.reset()
            if not matcher.is_error():
                return matcher
        matcher = llguidance.LLMatcher(self._tokenizer, grammar_for(schema_text), log_level=0)
        if matcher.is_error():
            raise ValueError(f"the output schema's grammar failed to start: {matcher.get_error()}")
        if len(self._matchers) >= MAX_MATCHERS:  # per-request schemas: keep the newest ones
            self._matchers.pop(next(iter(self._matchers)))
        self._matchers[schema_text] = matcher
        return matcher
