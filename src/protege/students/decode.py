"""Schema-constrained decoding on a llama.cpp context: greedy, or sampled for a resample.

Where the time goes for a ~40-token JSON answer from a 135M model on a CPU, and what we do:

- A token decoded alone costs ~6.5-7.5 ms (reading every weight once); tokens decoded in one
  batch cost ~3-4.5 ms each (one core, measured here). So the tokens the schema forces
  (``{"intent":{"type":"``, ``","mood":"``...) are appended to the batch of the next chosen
  token instead of being sampled one at a time, and the forced tail after the last chosen
  token is never evaluated at all. Only the tokens the model really chooses cost a step.
- The prompt's key/value state stays in the context between calls; a new prompt only evaluates
  the tokens after its longest common prefix with what the context already holds (the chat
  template's head is the same for every call, and a call site's prompts often share more).
- The grammar is asked whether the model's own top token is allowed (one token check) before
  anything builds a full 49k-token mask; with a trained student the top token is almost
  always allowed, so the mask is the rare path.

The confidence signals are the log-probabilities, under the model's unconstrained distribution,
of the tokens the model chose. Forced tokens are not the model's decisions and are left out.

With a ``temperature`` above 0 each chosen token is drawn from the model's distribution over the
tokens the grammar allows (seeded, so a resample can be replayed): the second and later tries
of a call site that resamples an answer a validator refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import llama_cpp
    import llguidance


@dataclass
class Decoded:
    """What one constrained decode produced, before it becomes a :class:`StudentAnswer`."""

    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    tokens_forced: int = 0
    tokens_cached: int = 0
    finish_reason: str = "length"


def reuse_prefix(llm: llama_cpp.Llama, prompt_ids: list[int]) -> int:
    """Drop the context's state past its longest common prefix with ``prompt_ids``.

    Returns how many prompt tokens are already evaluated. At least one prompt token is always
    left to evaluate, because the logits of the last prompt token are needed to start decoding.
    """
    held = llm.input_ids[: llm.n_tokens]
    limit = min(len(held), len(prompt_ids) - 1)
    if limit <= 0:
        common = 0
    else:
        diff = np.flatnonzero(held[:limit] != np.asarray(prompt_ids[:limit], dtype=held.dtype))
        common = int(diff[0]) if diff.size else limit
    if common < llm.n_tokens:
        llm._ctx.kv_cache_seq_rm(-1, common, -1)
        llm.n_tokens = common
    return common


class Closers:
    """Token ids that close JSON values, found once per vocabulary.

    Used only when an answer must be wrapped up (budget nearly spent, or the model repeats
    itself, as a small model does with ``0.0000...`` or ``"aaaa...``): then the runtime prefers
    tokens that end the current string, number, list or object over the model's own choice,
    so the answer stays schema-valid instead of being cut off mid-value.
    """

    def __init__(self, pieces: list[bytes]) -> None:
        def ids(chars: bytes, need: bytes | None) -> np.ndarray:
            keep = [
                i for i, p in enumerate(pieces)
                if p and set(p) <= set(chars) and (need is None or need in p)
            ]
            return np.asarray(keep, dtype=np.int64)

        self.close_string = ids(b'"}],', b'"')
        self.close_value = ids(b"}]", None)
        self.next_value = ids(b"}],", b",")


def _inside_string(text: bytes) -> bool:
    escaped = inside = False
    for byte in text:
        if escaped:
            escaped = False
        elif byte == 0x5C and inside:  # backslash
            escaped = True
        elif byte == 0x22:  # quote
            inside = not inside
    return inside


def looping(tokens: list[int]) -> bool:
    """True when the answer's tail repeats one block of tokens: at least ``_LOOP_MIN`` tokens
    and three whole blocks of one period of up to ``_LOOP_MAX_PERIOD`` tokens.

    The whole answer is read, forced tokens included: a map's coordinates are mostly the same
    few digits between forced keys, so counting distinct chosen tokens calls a good map a loop,
    while a model that really loops repeats whole objects or words exactly.
    """
    for period in range(1, _LOOP_MAX_PERIOD + 1):
        span = max(_LOOP_MIN, 3 * period)
        if len(tokens) < span:
            break
        tail = tokens[-span:]
        if tail[period:] == tail[:-period]:
            return True
    return False


_LOOP_MIN = 12
_LOOP_MAX_PERIOD = 16


def decode_constrained(
    llm: llama_cpp.Llama,
    matcher: llguidance.LLMatcher,
    prompt_ids: list[int],
    *,
    max_tokens: int,
    stop_ids: frozenset[int],
    closers: Closers,
    detokenize,
    fast_forward: bool = True,
    top_token_first: bool = True,
    temperature: float = 0.0,
    seed: int | None = None,
) -> Decoded:
    """Decode an answer that ``matcher`` accepts, reusing cached prompt state: greedy, or with
    ``temperature`` > 0 sampled from the allowed tokens with ``seed``.

    From ``max_tokens - reserve`` on (or as soon as the model loops), the answer is wrapped up
    with :class:`Closers`; ``max_tokens`` stays a hard limit. ``fast_forward`` and
    ``top_token_first`` exist so the benchmark can measure what each saves.
    """
    import llama_cpp

    result = Decoded()
    result.tokens_cached = reuse_prefix(llm, prompt_ids)
    pending = list(prompt_ids[result.tokens_cached :])
    n_vocab = llm.n_vocab()
    mask = np.zeros((n_vocab + 31) // 32, dtype=np.int32)
    wrap_up_at = max_tokens - min(64, max_tokens // 2)
    finishing = False
    sampler = np.random.default_rng(seed) if temperature > 0 else None

    while True:
        room = max_tokens - len(result.tokens)
        forced = matcher.compute_ff_tokens()[:room] if room > 0 and fast_forward else []
        if forced:
            if not matcher.consume_tokens(forced):
                raise RuntimeError(f"grammar refused its own forced tokens: {matcher.get_error()}")
            result.tokens.extend(forced)
            result.tokens_forced += len(forced)
            pending.extend(forced)
        if matcher.is_stopped():
            result.finish_reason = "stop"
            return result
        if len(result.tokens) >= max_tokens:
            return result

        llm.eval(pending)
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(n_vocab,))
        finishing = finishing or len(result.tokens) >= wrap_up_at or looping(result.tokens)
        token = int(logits.argmax())
        if finishing or sampler is not None or not top_token_first or matcher.validate_tokens([token]) != 1:
            matcher.unsafe_compute_mask_ptr(mask.ctypes.data, mask.nbytes)
            if matcher.is_error():
                raise RuntimeError(f"grammar failed while decoding: {matcher.get_error()}")
            allowed = np.unpackbits(mask.view(np.uint8), bitorder="little", count=n_vocab).astype(bool)
            if sampler is not None and not finishing:
                token = _sample(logits, allowed, temperature, sampler)
            else:
                token = int(np.where(allowed, logits, -np.inf).argmax())
                if finishing:
                    token = _wrap_up_token(token, logits, allowed, stop_ids, closers, detokenize(result.tokens))
        top = float(logits.max())
        log_norm = top + math.log(float(np.exp(logits - top).sum()))
        logprob = float(logits[token]) - log_norm

        if token in stop_ids:
            result.finish_reason = "stop"
            return result
        if not matcher.consume_token(token):
            raise RuntimeError(f"grammar refused an allowed token: {matcher.get_error()}")
        result.tokens.append(token)
        result.logprobs.append(logprob)
        pending = [token]


def _sample(logits: np.ndarray, allowed: np.ndarray, temperature: float, sampler: np.random.Generator) -> int:
    """One allowed token drawn from softmax(logits / temperature) over the allowed tokens."""
    ids = np.flatnonzero(allowed)
    scaled = logits[ids].astype(np.float64) / temperature
    weights = np.exp(scaled - scaled.max())
    return int(ids[sampler.choice(ids.size, p=weights / weights.sum())])


def _wrap_up_token(
    token: int,
    logits: np.ndarray,
    allowed: np.ndarray,
    stop_ids: frozenset[int],
    closers: Closers,
    text: bytes,
) -> int:
    """The allowed token that ends the answer or the current value soonest (the model breaks
    ties); ``token``, the model's own allowed choice, when nothing closes yet."""
    for stop in sorted(stop_ids):
        if allowed[stop]:
            return stop
    groups = (closers.close_string,) if _inside_string(text) else (closers.close_value, closers.next_value)
    for group in groups:
        candidates = group[allowed[group]]
        if candidates.size:
            return int(candidates[logits[candidates].argmax()])
    return token
